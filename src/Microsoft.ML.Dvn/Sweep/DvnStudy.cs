namespace Microsoft.ML.Dvn;

/// <summary>
/// Where a sweep keeps its trials' results, so that running the same sweep again resumes it and several processes, on
/// one machine or many, can share its trials: a SQLite file (<see cref="Sqlite"/>) or a PostgreSQL database
/// (<see cref="PostgreSql"/>). Set it as <see cref="DvnSweepSettings.Study"/>; without one a sweep keeps everything in
/// memory.
/// </summary>
/// <remarks>
/// <para>A study remembers what it was created for: the sweep's settings that decide its trials (strategy, seed,
/// trials, halving factor, evaluation, threads a trial), every configuration it draws (the search space), and the data
/// as the DVN sees it (rows, task names, classes, feature length). Running a different sweep against it fails before
/// anything is trained or written, with a message naming what differs; give it another study name instead.</para>
/// <para><b>Workers.</b> Every process that runs the same sweep against the same study is a worker of it. Before a
/// worker fits a configuration (at a number of epochs) it claims it in the database, atomically, under a lease of
/// <see cref="Lease"/> that it renews every third of the lease while it trains; a configuration that another worker
/// holds is left to it, and a worker that needs its result (to rank a halving round) waits for it. A worker that dies
/// (killed, crashed, disconnected) stops renewing; when its lease has run out, the next worker that needs the
/// configuration takes it over and runs it from the start. Each result is written once, in a transaction with the end of
/// its claim; a second result for the same configuration and epochs is ignored. Every worker returns the whole sweep's
/// result. Leases compare the workers' clocks (UTC): keep the machines' clocks within a small part of the lease.</para>
/// <para>The database schema is versioned and created on first use; a schema newer than this library's is refused,
/// nothing written.</para>
/// </remarks>
/// <example>
/// <code>
/// var settings = new DvnSweepSettings { Strategy = DvnSweepStrategy.Halving, Study = DvnStudy.Sqlite("sweep.db") };
/// var result = new DvnSweep(ml, pipeline, space, settings).Run(data);   // run it again after a crash: it resumes
///
/// // Many machines: the same program on each, pointed at one database.
/// settings.Study = DvnStudy.PostgreSql("Host=db.example;Database=sweeps;Username=dvn;Password=...", "fmnist-cnn");
/// </code>
/// </example>
public sealed record DvnStudy
{
    private DvnStudy(DvnStudyDatabase database, string connection, string name)
    {
        Database = database;
        Connection = connection;
        Name = name;
    }

    /// <summary>The kind of database.</summary>
    public DvnStudyDatabase Database { get; }

    /// <summary>The SQLite file (a full path), or the PostgreSQL connection string.</summary>
    public string Connection { get; }

    /// <summary>The study's name within the database (one database can hold several studies).</summary>
    public string Name { get; }

    /// <summary>
    /// How long a worker's claim on a configuration lasts without renewal (renewed every third of it while the worker
    /// trains): after a worker dies, others take its configuration over once this has passed. Default 60 seconds; at
    /// least 1 second.
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Reads the study without running anything: configurations whose results are in the study are reported as they
    /// are, the others as not run (a halving round still under way ends the result there, its configurations
    /// <see cref="DvnSweepTrialStatus.Stopped"/>). For a report while workers run. Default false.
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// A study in a SQLite database file (created with its directory's permissions when missing; nothing to install:
    /// SQLite is embedded). Processes on one machine can share it; for several machines use <see cref="PostgreSql"/>
    /// (SQLite's locking is not reliable on network file systems).
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <param name="name">The study's name in it. Default "default".</param>
    public static DvnStudy Sqlite(string path, string name = "default")
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException($"A study needs a database file path; got '{path}'.", nameof(path));
        return new DvnStudy(DvnStudyDatabase.Sqlite, System.IO.Path.GetFullPath(path), CheckName(name));
    }

    /// <summary>
    /// A study in a PostgreSQL database that every worker reaches (the tables are created on first use; the user needs
    /// the right to create tables, or an administrator creates them by running one worker once).
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string, e.g. <c>Host=db;Port=5432;Database=sweeps;Username=dvn;Password=...</c>.</param>
    /// <param name="name">The study's name in the database. Default "default".</param>
    public static DvnStudy PostgreSql(string connectionString, string name = "default")
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ArgumentException($"A PostgreSQL study needs a connection string (Host=...;Database=...;Username=...); got '{connectionString}'.",
                nameof(connectionString));
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The PostgreSQL connection string is not valid: {e.Message}", nameof(connectionString), e);
        }
        return new DvnStudy(DvnStudyDatabase.PostgreSql, connectionString, CheckName(name));
    }

    /// <summary>Where the study is, without a password: the file, or the PostgreSQL host, port and database.</summary>
    public override string ToString()
    {
        if (Database == DvnStudyDatabase.Sqlite)
            return $"study '{Name}' in {Connection}";
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(Connection);
        return $"study '{Name}' in PostgreSQL database '{builder.Database ?? builder.Username}' on {builder.Host}:{builder.Port}";
    }

    internal DvnStudy Check()
    {
        if (Lease < TimeSpan.FromSeconds(1))
            throw new ArgumentOutOfRangeException(nameof(Lease), $"DvnStudy.Lease is {Lease}; expected at least 1 second.");
        return this;
    }

    private static string CheckName(string name) =>
        string.IsNullOrWhiteSpace(name) ? throw new ArgumentException($"A study needs a name; got '{name}'.", nameof(name)) : name;
}
