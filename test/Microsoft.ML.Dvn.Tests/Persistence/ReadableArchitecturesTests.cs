using Microsoft.ML.Dvn.Persistence;

namespace Microsoft.ML.Dvn.Tests.Persistence;

/// <summary>
/// Every architecture the model reader accepts must predict: files of many small shapes (MLPs, CNNs with and without
/// fully connected layers, images down to 1 x 1, one or two tasks, every unit and level count that fits) are written
/// field by field, read, and every (task, level) predicts a row whose probabilities are finite and sum to 1.
/// </summary>
[TestClass]
public sealed class ReadableArchitecturesTests
{
    [TestMethod]
    public void EveryGeneratedArchitectureTheReaderAcceptsPredictsEveryLevel()
    {
        var failures = new List<string>();
        int count = 0;
        foreach (var model in Shapes())
        {
            count++;
            string name = $"{(model.Kind == 1 ? $"CNN {model.ImageHeight}x{model.ImageWidth}x{model.ImageChannels} conv [{string.Join(",", model.ConvolutionChannels)}]" : "MLP")} " +
                          $"hidden [{string.Join(",", model.HiddenLayerSizes)}], {model.ClassCounts.Length} tasks, {model.Units} units, {model.Levels} levels";
            try
            {
                var read = DvnModelFormat.Read(new MemoryStream(model.File()));
                var random = new Random(count);
                var row = Enumerable.Range(0, model.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
                for (int task = 1; task <= model.ClassCounts.Length; task++)
                    for (int level = 1; level <= model.Levels; level++)
                    {
                        var probabilities = new float[read.Predictor.MaxClasses];
                        read.Predictor.Predict(row, new[] { task }, new[] { level }, probabilities);
                        var classes = probabilities.AsSpan(0, model.ClassCounts[task - 1]).ToArray();
                        if (!classes.All(float.IsFinite) || Math.Abs(classes.Sum() - 1) > 1e-5)
                            failures.Add($"{name}, task {task} level {level}: probabilities {string.Join(", ", classes)}");
                    }
                read.Network.Dispose();
            }
            catch (Exception e)
            {
                failures.Add($"{name}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            }
        }
        Assert.IsTrue(count >= 100, $"only {count} shapes");
        Assert.AreEqual(0, failures.Count, $"{failures.Count} of {count} shapes:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(20))}");
    }

    private static IEnumerable<CraftedModel> Shapes()
    {
        var classCounts = new[] { new[] { 1 }, new[] { 2, 3 } };
        foreach (var hidden in new[] { new[] { 1 }, new[] { 3 }, new[] { 2, 3 } })
            foreach (int inputSize in new[] { 1, 4 })
                foreach (var classes in classCounts)
                    foreach (var model in WithUnitsAndLevels(Model(0, 0, 0, 0, Array.Empty<int>(), hidden, inputSize, classes)))
                        yield return model;
        foreach (var (height, width) in new[] { (1, 1), (2, 3), (4, 4), (5, 2), (7, 6) })
            foreach (int channels in new[] { 1, 2 })
                foreach (var convolutions in new[] { new[] { 1 }, new[] { 3 }, new[] { 2, 4 } })
                {
                    if (height >> convolutions.Length < 1 || width >> convolutions.Length < 1)
                        continue;
                    foreach (var hidden in new[] { Array.Empty<int>(), new[] { 2 }, new[] { 3, 2 } })
                        foreach (var classes in classCounts)
                            foreach (var model in WithUnitsAndLevels(Model(1, height, width, channels, convolutions, hidden, channels * height * width, classes)))
                                yield return model;
                }
    }

    private static CraftedModel Model(int kind, int height, int width, int channels, int[] convolutions, int[] hidden, int inputSize, int[] classCounts)
    {
        int labels = classCounts.Sum();
        int first = 1;
        var classes = classCounts.Select(c => Enumerable.Range((first += c) - c, c).ToArray()).ToArray();
        return CraftedModel.Valid with
        {
            Kind = kind,
            ImageHeight = height,
            ImageWidth = width,
            ImageChannels = channels,
            ConvolutionChannels = convolutions,
            HiddenLayerSizes = hidden,
            InputSize = inputSize,
            ClassCounts = classCounts,
            LabelKeys = labels,
            LabelValues = null,
            TaskKeys = classCounts.Length,
            TaskValues = null,
            ServedKeys = Enumerable.Range(1, classCounts.Length).ToArray(),
            Classes = classes,
            RowsPerTask = classCounts.Select(_ => 10L).ToArray(),
        };
    }

    // Every unit count up to the narrowest layer (at most 2) and every level count up to the units.
    private static IEnumerable<CraftedModel> WithUnitsAndLevels(CraftedModel model)
    {
        int narrowest = model.ConvolutionChannels.Concat(model.HiddenLayerSizes).Min();
        for (int units = 1; units <= Math.Min(2, narrowest); units++)
            for (int levels = 1; levels <= units; levels++)
                yield return (model with { Units = units, Levels = levels }).Consistent();
    }
}
