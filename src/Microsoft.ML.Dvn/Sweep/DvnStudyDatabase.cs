namespace Microsoft.ML.Dvn;

/// <summary>The database that keeps a <see cref="DvnStudy"/>.</summary>
public enum DvnStudyDatabase
{
    /// <summary>A SQLite file (embedded; for processes on one machine).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server (for workers on many machines).</summary>
    PostgreSql,
}
