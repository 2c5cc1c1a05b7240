using Microsoft.ML.Dvn.Training;

namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>Cached task rows served as a stream, in their stored order, counting the readers open.</summary>
internal sealed class GeneratedTaskRows : ITaskRows
{
    private readonly float[][] _features;
    private readonly long[][] _labels;

    public GeneratedTaskRows(IReadOnlyList<TaskData> tasks)
    {
        _features = tasks.Select(t => t.Features.data<float>().ToArray()).ToArray();
        _labels = tasks.Select(t => t.Labels.data<long>().ToArray()).ToArray();
    }

    public int OpenReaders { get; private set; }

    public ITaskRowReader Open(int task)
    {
        OpenReaders++;
        return new Reader(this, task - 1);
    }

    private sealed class Reader(GeneratedTaskRows rows, int index) : ITaskRowReader
    {
        private int _next;

        public bool Next(Span<float> features, out long label)
        {
            label = -1;
            if (_next == rows._labels[index].Length)
                return false;
            rows._features[index].AsSpan(_next * features.Length, features.Length).CopyTo(features);
            label = rows._labels[index][_next++];
            return true;
        }

        public void Dispose() => rows.OpenReaders--;
    }
}
