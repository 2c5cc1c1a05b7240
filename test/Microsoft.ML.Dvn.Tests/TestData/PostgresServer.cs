using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>
/// A private PostgreSQL server for the tests: Debian's <c>postgresql</c> package's <c>initdb</c> and <c>pg_ctl</c>
/// (under /usr/lib/postgresql/VERSION/bin) on a temporary directory and a free loopback port, with trust
/// authentication for the user "dvn"; stopped and deleted on dispose. PostgreSQL refuses to run as root, so as root
/// the server runs as the package's "postgres" user (through runuser). <c>.ci/run</c> installs the package when it
/// is missing.
/// </summary>
internal sealed class PostgresServer : IDisposable
{
    private readonly string _bin, _directory;
    private readonly bool _asPostgres;

    private PostgresServer(string bin, string directory, bool asPostgres, int port)
    {
        (_bin, _directory, _asPostgres, Port) = (bin, directory, asPostgres, port);
    }

    public int Port { get; }

    /// <summary>A connection string to the server's "postgres" database as "dvn".</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=dvn;Database=postgres;Timeout=30";

    /// <summary>Creates an empty database on the server and returns a connection string to it.</summary>
    public string CreateDatabase(string name)
    {
        using (var connection = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE \"{name}\"";
            command.ExecuteNonQuery();
        }
        return $"Host=127.0.0.1;Port={Port};Username=dvn;Database={name};Timeout=30";
    }

    public static PostgresServer Start()
    {
        bool asPostgres = Environment.UserName == "root";
        // As root, a machine without the server gets it from the repository's script (what .ci/run runs first).
        if (Bin() is null && asPostgres)
            Run("bash", Repository.File("build", "install-postgres.sh"));
        string bin = Bin() ?? "";
        if (bin.Length == 0)
            Assert.Fail("PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): run `sudo build/install-postgres.sh` " +
                        "(Debian's postgresql package; .ci/run does it when it is missing).");
        var directory = Directory.CreateTempSubdirectory("dvn-postgres-").FullName;
        if (asPostgres)
            Run("chown", "postgres:postgres", directory);
        int port = FreePort();
        var server = new PostgresServer(bin, directory, asPostgres, port);
        server.Tool("initdb", "-D", server.Data, "-U", "dvn", "--auth=trust", "--no-sync", "-E", "UTF8");
        server.Tool("pg_ctl", "-D", server.Data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        return server;
    }

    public void Dispose()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        try
        {
            Tool("pg_ctl", "-D", Data, "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private string Data => Path.Combine(_directory, "data");

    private void Tool(string name, params string[] arguments)
    {
        string tool = Path.Combine(_bin, name);
        if (_asPostgres)
            Run("runuser", new[] { "-u", "postgres", "--", tool }.Concat(arguments).ToArray());
        else
            Run(tool, arguments);
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string errors = process.StandardError.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(120_000), $"{program} did not finish in 2 minutes");
        Assert.AreEqual(0, process.ExitCode, $"{program} {string.Join(' ', arguments)} failed: {errors}{output.Result}");
    }

    private static string? Bin() => Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl")))
            .OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
        : null;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
