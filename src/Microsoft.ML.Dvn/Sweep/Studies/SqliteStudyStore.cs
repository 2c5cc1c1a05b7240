using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Microsoft.ML.Dvn.Sweep.Studies;

/// <summary>
/// A study's results in a SQLite file. One connection per call (the pool reuses them), so parallel trials can read
/// and write; every write is one statement in its own transaction, and a result is written once (a second write of the
/// same trial and epochs is ignored).
/// </summary>
internal sealed class SqliteStudyStore
{
    /// <summary>The schema this library writes; a database with a newer one is refused.</summary>
    public const int SchemaVersion = 1;

    private readonly string _connection;
    private readonly string _study;

    private SqliteStudyStore(string connection, string study)
    {
        _connection = connection;
        _study = study;
    }

    /// <summary>
    /// Opens the study, creating the schema and the study on first use; fails, writing nothing, on a newer schema or a
    /// study created for another sweep (<paramref name="identity"/> differs).
    /// </summary>
    public static SqliteStudyStore Open(DvnStudy study, StudyIdentity identity)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = study.Path, Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 60 }.ToString();
        var store = new SqliteStudyStore(connection, study.Name);
        try
        {
            store.Prepare(study, identity);
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"The {study} cannot be opened: {e.Message}", e);
        }
        return store;
    }

    public StoredMeasurement? Find(int trial, int epochs)
    {
        using var connection = Connect();
        using var command = ResultCommand(connection, "SELECT result FROM dvn_result WHERE study = $study AND trial = $trial AND epochs = $epochs",
            trial, epochs);
        return command.ExecuteScalar() is string json ? JsonSerializer.Deserialize<StoredMeasurement>(json) : null;
    }

    public void Record(int trial, int epochs, StoredMeasurement measurement)
    {
        using var connection = Connect();
        using var command = ResultCommand(connection,
            "INSERT OR IGNORE INTO dvn_result (study, trial, epochs, result, recorded) VALUES ($study, $trial, $epochs, $result, $recorded)", trial, epochs);
        command.Parameters.AddWithValue("$result", JsonSerializer.Serialize(measurement));
        command.Parameters.AddWithValue("$recorded", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }

    // A statement about one result of this study: the study, trial and epochs bound.
    private SqliteCommand ResultCommand(SqliteConnection connection, string sql, int trial, int epochs)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$study", _study);
        command.Parameters.AddWithValue("$trial", trial);
        command.Parameters.AddWithValue("$epochs", epochs);
        return command;
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connection);
        connection.Open();
        return connection;
    }

    private void Prepare(DvnStudy study, StudyIdentity identity)
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction();
        int? version = Scalar(connection, transaction, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'dvn_schema'") is null
            ? null
            : Convert.ToInt32(Scalar(connection, transaction, "SELECT MAX(version) FROM dvn_schema") ?? 0, CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
            throw new InvalidOperationException(
                $"The {study} has schema version {version}; this version of Microsoft.ML.Dvn knows versions up to {SchemaVersion}. " +
                "Use the newer library that wrote it, or another database file. Nothing was written.");
        if (version is null)
        {
            Execute(connection, transaction,
                "CREATE TABLE dvn_schema (version INTEGER NOT NULL);" +
                $"INSERT INTO dvn_schema (version) VALUES ({SchemaVersion});" +
                "CREATE TABLE dvn_study (name TEXT PRIMARY KEY, identity TEXT NOT NULL, created TEXT NOT NULL);" +
                "CREATE TABLE dvn_result (study TEXT NOT NULL, trial INTEGER NOT NULL, epochs INTEGER NOT NULL, result TEXT NOT NULL, " +
                "recorded TEXT NOT NULL, PRIMARY KEY (study, trial, epochs));");
        }
        using (var find = connection.CreateCommand())
        {
            find.Transaction = transaction;
            find.CommandText = "SELECT identity FROM dvn_study WHERE name = $name";
            find.Parameters.AddWithValue("$name", _study);
            if (find.ExecuteScalar() is string stored)
            {
                var difference = identity.Difference(JsonSerializer.Deserialize<StudyIdentity>(stored)!);
                if (difference is not null)
                    throw new InvalidOperationException(
                        $"The {study} was created for another sweep: {difference}. Nothing was run or written; give this sweep another study name or file.");
                transaction.Commit();
                return;
            }
        }
        using (var create = connection.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = "INSERT INTO dvn_study (name, identity, created) VALUES ($name, $identity, $created)";
            create.Parameters.AddWithValue("$name", _study);
            create.Parameters.AddWithValue("$identity", JsonSerializer.Serialize(identity));
            create.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            create.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
