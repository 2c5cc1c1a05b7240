using System.Data.Common;
using Npgsql;

namespace Microsoft.ML.Dvn.Sweep.Studies;

/// <summary>
/// A study in a PostgreSQL database. Workers that start at once take a transaction-scoped advisory lock before they
/// look for the schema, so only one creates it.
/// </summary>
internal sealed class PostgresStudyDatabase(string connectionString) : StudyDatabase
{
    // The key of the advisory lock that guards the schema: "DVN_STUD" in ASCII, a value no other tool is likely to use.
    private const long SchemaLock = 0x44564E5F53545544;

    public override DbConnection Connect()
    {
        var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        return connection;
    }

    public override string BlobType => "BYTEA";

    public override string TableExists => "SELECT to_regclass(@table)::text";

    public override DbTransaction BeginSchema(DbConnection connection)
    {
        var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT pg_advisory_xact_lock({SchemaLock})";
        command.ExecuteNonQuery();
        return transaction;
    }
}
