using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace Microsoft.ML.Dvn.Sweep.Studies;

/// <summary>
/// A study's results and claims in a database (SQLite or PostgreSQL, the same statements for both). One connection per
/// call (the providers pool them), so parallel trials and a lease's heartbeat can use the store at once. A result is
/// keyed by (study, trial, epochs) and written once; a claim says which worker runs a configuration at a number of
/// epochs and until when its lease holds.
/// </summary>
internal sealed class StudyStore
{
    /// <summary>The schema this library writes; a database with a newer one is refused.</summary>
    public const int SchemaVersion = 1;

    private string Schema =>
        "CREATE TABLE dvn_schema (version INTEGER NOT NULL);" +
        "CREATE TABLE dvn_checkpoint (study TEXT NOT NULL, trial INTEGER NOT NULL, epochs INTEGER NOT NULL, fold INTEGER NOT NULL, " +
        $"state {_database.BlobType} NOT NULL, PRIMARY KEY (study, trial, epochs, fold));" +
        "CREATE TABLE dvn_study (name TEXT PRIMARY KEY, identity TEXT NOT NULL, created TEXT NOT NULL);" +
        "CREATE TABLE dvn_result (study TEXT NOT NULL, trial INTEGER NOT NULL, epochs INTEGER NOT NULL, result TEXT NOT NULL, " +
        "worker TEXT NOT NULL, recorded TEXT NOT NULL, PRIMARY KEY (study, trial, epochs));" +
        "CREATE TABLE dvn_claim (study TEXT NOT NULL, trial INTEGER NOT NULL, epochs INTEGER NOT NULL, worker TEXT NOT NULL, " +
        "lease_until BIGINT NOT NULL, attempts INTEGER NOT NULL, done INTEGER NOT NULL, PRIMARY KEY (study, trial, epochs));";

    private readonly StudyDatabase _database;
    private readonly DvnStudy _study;

    private StudyStore(DvnStudy study)
    {
        _study = study;
        _database = StudyDatabase.For(study);
    }

    /// <summary>How long a claim lasts without renewal.</summary>
    public TimeSpan Lease => _study.Lease;

    /// <summary>True when the store is only read (<see cref="DvnStudy.ReadOnly"/>).</summary>
    public bool ReadOnly => _study.ReadOnly;

    /// <summary>
    /// Opens the study, creating the schema and the study on first use (unless read-only); fails, writing nothing, on a
    /// newer schema, a study created for another sweep (<paramref name="identity"/> differs), a read-only study that does
    /// not exist, or a database that cannot be reached.
    /// </summary>
    public static StudyStore Open(DvnStudy study, StudyIdentity identity)
    {
        var store = new StudyStore(study.Check());
        try
        {
            store.Prepare(identity);
        }
        catch (Exception e) when (e is DbException or System.Net.Sockets.SocketException)
        {
            // The provider's message may end a sentence already: one period, not two.
            throw new InvalidOperationException($"The {study} cannot be opened: {e.Message.TrimEnd('.')}. Nothing was run or written.", e);
        }
        return store;
    }

    public StoredMeasurement? Find(int trial, int epochs) => Use(() =>
    {
        using var connection = _database.Connect();
        using var command = Command(connection, null, "SELECT result FROM dvn_result WHERE study = @study AND trial = @trial AND epochs = @epochs",
            trial, epochs);
        return command.ExecuteScalar() is string json ? JsonSerializer.Deserialize<StoredMeasurement>(json) : null;
    });

    /// <summary>
    /// Claims a configuration at a number of epochs for <paramref name="worker"/>, in one statement: true when nobody
    /// held it, or its holder's lease ran out (the attempt is counted); false while another worker's lease holds, or when
    /// its result is written.
    /// </summary>
    public bool TryClaim(int trial, int epochs, string worker) => Use(() =>
    {
        long now = Now();
        using var connection = _database.Connect();
        using var command = Command(connection, null,
            "INSERT INTO dvn_claim (study, trial, epochs, worker, lease_until, attempts, done) VALUES (@study, @trial, @epochs, @worker, @until, 1, 0) " +
            "ON CONFLICT (study, trial, epochs) DO UPDATE SET worker = excluded.worker, lease_until = excluded.lease_until, " +
            "attempts = dvn_claim.attempts + 1 WHERE dvn_claim.done = 0 AND dvn_claim.lease_until < @now", trial, epochs);
        Parameter(command, "@worker", worker);
        Parameter(command, "@until", now + (long)Lease.TotalMilliseconds);
        Parameter(command, "@now", now);
        return command.ExecuteNonQuery() == 1;
    });

    /// <summary>Extends <paramref name="worker"/>'s lease; false when it no longer holds the claim (another worker took it over).</summary>
    public bool Renew(int trial, int epochs, string worker) => Use(() =>
    {
        using var connection = _database.Connect();
        using var command = Command(connection, null,
            "UPDATE dvn_claim SET lease_until = @until WHERE study = @study AND trial = @trial AND epochs = @epochs AND worker = @worker AND done = 0",
            trial, epochs);
        Parameter(command, "@worker", worker);
        Parameter(command, "@until", Now() + (long)Lease.TotalMilliseconds);
        return command.ExecuteNonQuery() == 1;
    });

    /// <summary>Keeps the training state of every fold of a configuration's round, for the round that continues it.</summary>
    public void SaveCheckpoints(int trial, int epochs, IReadOnlyList<Training.TrainingCheckpoint?> checkpoints) => Use(() =>
    {
        using var connection = _database.Connect();
        using var transaction = connection.BeginTransaction();
        for (int fold = 0; fold < checkpoints.Count; fold++)
        {
            if (checkpoints[fold] is not { } checkpoint)
                continue;
            using var command = Command(connection, transaction,
                "INSERT INTO dvn_checkpoint (study, trial, epochs, fold, state) VALUES (@study, @trial, @epochs, @fold, @state) " +
                "ON CONFLICT (study, trial, epochs, fold) DO NOTHING", trial, epochs);
            Parameter(command, "@fold", fold);
            Parameter(command, "@state", checkpoint.ToBytes());
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    });

    /// <summary>The training state of every fold of a configuration's round (null for a fold without one).</summary>
    public IReadOnlyList<Training.TrainingCheckpoint?> Checkpoints(int trial, int epochs, int folds) => Use(() =>
    {
        var checkpoints = new Training.TrainingCheckpoint?[folds];
        using var connection = _database.Connect();
        using var command = Command(connection, null, "SELECT fold, state FROM dvn_checkpoint WHERE study = @study AND trial = @trial AND epochs = @epochs",
            trial, epochs);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            int fold = Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture);
            if (fold >= 0 && fold < folds)
                checkpoints[fold] = Training.TrainingCheckpoint.FromBytes((byte[])reader.GetValue(1));
        }
        return (IReadOnlyList<Training.TrainingCheckpoint?>)checkpoints;
    });

    /// <summary>Deletes the training states of a configuration's round (no round continues it any more).</summary>
    public void DropCheckpoints(int trial, int epochs) => Use(() =>
    {
        using var connection = _database.Connect();
        using var command = Command(connection, null, "DELETE FROM dvn_checkpoint WHERE study = @study AND trial = @trial AND epochs = @epochs", trial, epochs);
        command.ExecuteNonQuery();
    });

    /// <summary>The (trial, epochs) that a worker has claimed and not finished (running, or left by a dead worker).</summary>
    public IReadOnlyList<(int Trial, int Epochs)> OpenClaims() => Use(() =>
    {
        using var connection = _database.Connect();
        using var command = Command(connection, null, "SELECT trial, epochs FROM dvn_claim WHERE study = @study AND done = 0", 0, 0);
        using var reader = command.ExecuteReader();
        var open = new List<(int, int)>();
        while (reader.Read())
            open.Add((Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture)));
        return (IReadOnlyList<(int Trial, int Epochs)>)open;
    });

    /// <summary>Ends <paramref name="worker"/>'s lease now when its claim has no result, so that another worker can take it at once.</summary>
    public void Release(int trial, int epochs, string worker) => Use(() =>
    {
        using var connection = _database.Connect();
        using var command = Command(connection, null,
            "UPDATE dvn_claim SET lease_until = 0 WHERE study = @study AND trial = @trial AND epochs = @epochs AND worker = @worker AND done = 0",
            trial, epochs);
        Parameter(command, "@worker", worker);
        command.ExecuteNonQuery();
    });

    /// <summary>
    /// Writes a result and ends its claim, in one transaction. A result already written (by a worker that took the
    /// configuration over, or ran it at the same time) is kept and this one ignored.
    /// </summary>
    public void Record(int trial, int epochs, StoredMeasurement measurement, string worker) => Use(() =>
    {
        using var connection = _database.Connect();
        using var transaction = connection.BeginTransaction();
        using (var result = Command(connection, transaction,
                   "INSERT INTO dvn_result (study, trial, epochs, result, worker, recorded) VALUES (@study, @trial, @epochs, @result, @worker, @recorded) " +
                   "ON CONFLICT (study, trial, epochs) DO NOTHING", trial, epochs))
        {
            Parameter(result, "@result", JsonSerializer.Serialize(measurement));
            Parameter(result, "@worker", worker);
            Parameter(result, "@recorded", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            result.ExecuteNonQuery();
        }
        using (var claim = Command(connection, transaction,
                   "INSERT INTO dvn_claim (study, trial, epochs, worker, lease_until, attempts, done) VALUES (@study, @trial, @epochs, @worker, 0, 1, 1) " +
                   "ON CONFLICT (study, trial, epochs) DO UPDATE SET done = 1", trial, epochs))
        {
            Parameter(claim, "@worker", worker);
            claim.ExecuteNonQuery();
        }
        transaction.Commit();
        return 0;
    });

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    // A database error is the study's: named, with the provider's message (a study is safe to run again).
    private T Use<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (DbException e)
        {
            throw new InvalidOperationException($"The {_study} cannot be used: {e.Message}", e);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new InvalidOperationException($"The {_study} cannot be reached: {e.Message}", e);
        }
    }

    private void Use(Action action) => Use(() =>
    {
        action();
        return 0;
    });

    private void Prepare(StudyIdentity identity)
    {
        using var connection = _database.Connect();
        using var transaction = _database.BeginSchema(connection);
        int? version = Scalar(connection, transaction, _database.TableExists, ("@table", "dvn_schema")) is null
            ? null
            : Convert.ToInt32(Scalar(connection, transaction, "SELECT MAX(version) FROM dvn_schema") ?? 0, CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
            throw new InvalidOperationException(
                $"The {_study} has schema version {version}; this version of Microsoft.ML.Dvn knows versions up to {SchemaVersion}. " +
                "Use the newer library that wrote it, or another database. Nothing was written.");
        if (version is null && ReadOnly)
            throw new InvalidOperationException($"The {_study} does not exist (the database has no study tables); a read-only study is only read. Nothing was written.");
        if (version is null)
            Execute(connection, transaction, Schema + $"INSERT INTO dvn_schema (version) VALUES ({SchemaVersion});");
        if (Scalar(connection, transaction, "SELECT identity FROM dvn_study WHERE name = @name", ("@name", _study.Name)) is string stored)
        {
            var difference = identity.Difference(JsonSerializer.Deserialize<StudyIdentity>(stored)!);
            if (difference is not null)
                throw new InvalidOperationException(
                    $"The {_study} was created for another sweep: {difference}. Nothing was run or written; give this sweep another study name or database.");
        }
        else if (ReadOnly)
            throw new InvalidOperationException($"The {_study} does not exist; a read-only study is only read. Nothing was written.");
        else
        {
            using var create = Command(connection, transaction, "INSERT INTO dvn_study (name, identity, created) VALUES (@name, @identity, @created)", 0, 0);
            Parameter(create, "@name", _study.Name);
            Parameter(create, "@identity", JsonSerializer.Serialize(identity));
            Parameter(create, "@created", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            create.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    // A statement about one configuration of this study: the study, trial and epochs bound (unused ones are harmless).
    private DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, int trial, int epochs)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        if (sql.Contains("@study", StringComparison.Ordinal))
            Parameter(command, "@study", _study.Name);
        if (sql.Contains("@trial", StringComparison.Ordinal))
            Parameter(command, "@trial", trial);
        if (sql.Contains("@epochs", StringComparison.Ordinal))
            Parameter(command, "@epochs", epochs);
        return command;
    }

    private static void Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static object? Scalar(DbConnection connection, DbTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            Parameter(command, name, value);
        var result = command.ExecuteScalar();
        return result is DBNull ? null : result;
    }

    private static void Execute(DbConnection connection, DbTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
