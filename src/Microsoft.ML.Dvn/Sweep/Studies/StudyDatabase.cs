using System.Data.Common;

namespace Microsoft.ML.Dvn.Sweep.Studies;

/// <summary>
/// What differs between the databases a study can live in: how to connect, how to ask whether the schema exists, and
/// how to keep two workers from creating it at once. The statements themselves are the same for both.
/// </summary>
internal abstract class StudyDatabase
{
    public static StudyDatabase For(DvnStudy study) => study.Database == DvnStudyDatabase.PostgreSql
        ? new PostgresStudyDatabase(study.Connection)
        : new SqliteStudyDatabase(study.Connection, study.ReadOnly);

    /// <summary>An open connection.</summary>
    public abstract DbConnection Connect();

    /// <summary>The column type of binary data (training checkpoints).</summary>
    public abstract string BlobType { get; }

    /// <summary>A query whose first value is not null when the table named by the parameter @table exists.</summary>
    public abstract string TableExists { get; }

    /// <summary>
    /// Begins the transaction that creates or checks the schema, so that workers that start at once do it one after
    /// another.
    /// </summary>
    public abstract DbTransaction BeginSchema(DbConnection connection);
}
