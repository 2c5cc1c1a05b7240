using Microsoft.ML.Dvn.Samples.Data;

namespace Microsoft.ML.Dvn.Benchmarks.Streaming;

/// <summary>
/// The fmnist-3tasks training rows as an ML.NET binary file of any length: the training images in their stored order
/// (image i serves task i mod 3, through the task's view), repeated until the file has the rows asked for. Written
/// row by row from a lazy sequence, so writing does not hold the rows.
/// </summary>
internal static class LargeDataFile
{
    /// <summary>
    /// The file for <paramref name="rows"/> rows in <paramref name="directory"/>, written first if missing, beside it
    /// the labels of every task in key order, one a line (<see cref="LabelsOf"/>).
    /// </summary>
    public static string Ensure(string directory, string data, int rows)
    {
        string path = Path.Combine(directory, $"dvn-{data}-3tasks-{rows}.idv");
        if (File.Exists(path))
            return path;
        var scenario = DataSource.Load(data);
        var perTask = scenario.TaskNames.Select(t => scenario.TrainRows(t, limit: null)).ToArray();
        int perCopy = perTask.Sum(r => r.Count);
        File.WriteAllLines(LabelsPath(path), scenario.TaskNames.SelectMany(scenario.Labels));
        var ml = new MLContext(seed: 1);
        string partial = path + ".partial";
        Progress.Step($"Writing {rows:N0} rows to {path}", () =>
        {
            using (var file = File.Create(partial))
                ml.Data.SaveAsBinary(ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => perTask[i % perCopy % perTask.Length][i % perCopy / perTask.Length])), file);
            File.Move(partial, path);
            return path;
        });
        return path;
    }

    /// <summary>The labels written beside <paramref name="path"/>.</summary>
    public static string[] LabelsOf(string path) => File.ReadAllLines(LabelsPath(path));

    private static string LabelsPath(string path) => path + ".labels";
}
