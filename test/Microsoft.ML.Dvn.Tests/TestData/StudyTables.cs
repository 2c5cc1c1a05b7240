using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>
/// A study's tables read with plain SQL, as a database administrator would: the tests' view of claims and results,
/// independent of the library's store.
/// </summary>
internal static class StudyTables
{
    public sealed record Claim(int Trial, int Epochs, string Worker, int Attempts, bool Done);

    public sealed record Result(int Trial, int Epochs, string Worker);

    public static IReadOnlyList<Claim> Claims(DvnStudy study) => Read(study,
        "SELECT trial, epochs, worker, attempts, done FROM dvn_claim WHERE study = @study ORDER BY trial, epochs",
        r => new Claim(Convert.ToInt32(r.GetValue(0)), Convert.ToInt32(r.GetValue(1)), r.GetString(2), Convert.ToInt32(r.GetValue(3)), Convert.ToInt32(r.GetValue(4)) == 1));

    public static IReadOnlyList<Result> Results(DvnStudy study) => Read(study,
        "SELECT trial, epochs, worker FROM dvn_result WHERE study = @study ORDER BY trial, epochs",
        r => new Result(Convert.ToInt32(r.GetValue(0)), Convert.ToInt32(r.GetValue(1)), r.GetString(2)));

    /// <summary>The (trial, epochs, fold) of every training state the study keeps for a halving round to continue.</summary>
    public static IReadOnlyList<(int Trial, int Epochs, int Fold)> Checkpoints(DvnStudy study) => Read(study,
        "SELECT trial, epochs, fold FROM dvn_checkpoint WHERE study = @study ORDER BY trial, epochs, fold",
        r => (Convert.ToInt32(r.GetValue(0)), Convert.ToInt32(r.GetValue(1)), Convert.ToInt32(r.GetValue(2))));

    /// <summary>Rows of a query about the study; none when its tables do not exist yet.</summary>
    private static IReadOnlyList<T> Read<T>(DvnStudy study, string sql, Func<DbDataReader, T> row)
    {
        using DbConnection connection = study.Database == DvnStudyDatabase.PostgreSql
            ? new NpgsqlConnection(study.Connection)
            : new SqliteConnection($"Data Source={study.Connection};Mode=ReadOnly");
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@study";
            parameter.Value = study.Name;
            command.Parameters.Add(parameter);
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
                rows.Add(row(reader));
            return rows;
        }
        catch (DbException e) when (e.Message.Contains("no such table") || e.Message.Contains("does not exist") || e.Message.Contains("unable to open"))
        {
            return Array.Empty<T>();
        }
    }
}
