namespace Microsoft.ML.Dvn;

/// <summary>
/// Where a sweep keeps its trials' results, so that running the same sweep again resumes it: a trial whose result is in
/// the study is not run again (after a crash, a reboot or a cancellation, only the trials that had not finished run).
/// Set it as <see cref="DvnSweepSettings.Study"/>; without one a sweep keeps everything in memory.
/// </summary>
/// <remarks>
/// <para>A study remembers what it was created for: the sweep's settings that decide its trials (strategy, seed,
/// trials, halving factor, evaluation, threads a trial), every configuration it draws (the search space), and the data
/// as the DVN sees it (rows, task names, classes, feature length). Running a different sweep against it fails before
/// anything is trained or written, with a message naming what differs; give it another study name instead.</para>
/// <para>Each result is written once, in a transaction, when its trial finishes; a trial cut by a crash is run again
/// from the start. The database schema is versioned and created on first use; a schema newer than this library's is
/// refused, nothing written.</para>
/// </remarks>
/// <example>
/// <code>
/// var settings = new DvnSweepSettings { Strategy = DvnSweepStrategy.Halving, Study = DvnStudy.Sqlite("sweep.db") };
/// var result = new DvnSweep(ml, pipeline, space, settings).Run(data);   // run it again after a crash: it resumes
/// </code>
/// </example>
public sealed class DvnStudy
{
    private DvnStudy(string path, string name)
    {
        Path = path;
        Name = name;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The study's name within the database (one file can hold several studies).</summary>
    public string Name { get; }

    /// <summary>
    /// A study in a SQLite database file (created with its directory's permissions when missing; nothing to install:
    /// SQLite is embedded).
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <param name="name">The study's name in it. Default "default".</param>
    public static DvnStudy Sqlite(string path, string name = "default")
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException($"A study needs a database file path; got '{path}'.", nameof(path));
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"A study needs a name; got '{name}'.", nameof(name));
        return new DvnStudy(System.IO.Path.GetFullPath(path), name);
    }

    /// <inheritdoc />
    public override string ToString() => $"study '{Name}' in {Path}";
}
