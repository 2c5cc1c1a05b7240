using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Microsoft.ML.Dvn.Sweep.Studies;

/// <summary>
/// A study in a SQLite file. Write-ahead logging lets workers read while one writes; a transaction starts with
/// BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default), so a schema check holds the write lock, and a busy database is
/// waited for up to a minute.
/// </summary>
internal sealed class SqliteStudyDatabase(string path, bool readOnly) : StudyDatabase
{
    // A read-only study does not create a missing file.
    private readonly string _connection = new SqliteConnectionStringBuilder
        { DataSource = path, Mode = readOnly ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 60 }.ToString();

    public override DbConnection Connect()
    {
        var connection = new SqliteConnection(_connection);
        connection.Open();
        return connection;
    }

    public override string BlobType => "BLOB";

    public override string TableExists => "SELECT name FROM sqlite_master WHERE type = 'table' AND name = @table";

    public override DbTransaction BeginSchema(DbConnection connection)
    {
        // The journal mode belongs to the file and cannot change inside a transaction; in WAL mode it is a no-op.
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL";
            wal.ExecuteNonQuery();
        }
        return connection.BeginTransaction();
    }
}
