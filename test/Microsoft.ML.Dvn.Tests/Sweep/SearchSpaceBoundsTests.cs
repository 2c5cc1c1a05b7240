using Microsoft.ML.Dvn.Pipeline;
using Microsoft.ML.Dvn.Sweep;

namespace Microsoft.ML.Dvn.Tests.Sweep;

/// <summary>
/// What a search space reaches: the size range of every task over the combinations the trainer accepts (the frontier
/// objective's axis; parameter counts worked out by hand), the largest number of epochs, the dimensions a null leaves
/// to the base options, and what <see cref="DvnSearchSpace"/> refuses before a sweep starts.
/// </summary>
[TestClass]
public sealed class SearchSpaceBoundsTests
{
    private static readonly DvnDataSummary TwoTasks = new(new[] { "a", "b" }, 3, new[] { 2, 3 });

    [TestMethod]
    public void EachTasksSizesRunFromItsSmallestLevelOneToItsLargestTopLevelOverWhatTheTrainerAccepts()
    {
        // MLP 8 on 3 features, as many levels as units. A level of w active channels reads 3w (layer) + 4w (its
        // normalization) + cw + c (its head of c classes). 2 units: level 1 is 4 channels; 4 units: 2 channels; the top
        // level is all 8. 16 units do not fit 8 channels: the trainer refuses them, and they count for nothing.
        var space = new DvnSearchSpace
        {
            BaseOptions = new DvnEstimator.Options { Architecture = DvnArchitecture.Mlp(8), NumberOfLevels = 0 },
            NumberOfUnits = DvnSearch.Choice(2, 16, 4),
        };

        var sizes = SweepSizes.Of(space, TwoTasks);

        // Task a (2 classes): 2 x 9 + 2 = 20 to 8 x 9 + 2 = 74; task b (3 classes): 2 x 10 + 3 = 23 to 8 x 10 + 3 = 83.
        Assert.AreEqual(new DvnSizeRange(20, 74), sizes["a"]);
        Assert.AreEqual(new DvnSizeRange(23, 83), sizes["b"]);
        Assert.AreEqual(2, sizes.Count);

        var nothing = new DvnSearchSpace { BaseOptions = space.BaseOptions, NumberOfUnits = DvnSearch.Choice(16, 32) };
        Assert.AreEqual("No combination of the search space's units, levels and architectures can train on 2 tasks.",
            Assert.ThrowsExactly<ArgumentException>(() => SweepSizes.Of(nothing, TwoTasks)).Message);
    }

    [TestMethod]
    public void TheLargestEpochCountIsTheHalvingBudgetAndEpochsCannotBeDependent()
    {
        Assert.AreEqual(9, new DvnSearchSpace { NumberOfEpochs = DvnSearch.Choice(3, 9, 5) }.MaximumEpochs);
        Assert.AreEqual(7, new DvnSearchSpace { BaseOptions = new DvnEstimator.Options { NumberOfEpochs = 7 } }.MaximumEpochs);

        var dependent = new DvnSearchSpace { NumberOfEpochs = DvnSearch.Dependent(p => DvnSearch.Fixed(p.BatchSize / 16)) };
        Assert.AreEqual("DvnSearchSpace.NumberOfEpochs cannot be dependent: halving needs the largest number of epochs before it draws.",
            Assert.ThrowsExactly<ArgumentException>(() => dependent.Check(2)).Message);
        new DvnSearchSpace { NumberOfEpochs = DvnSearch.Choice(2, 4) }.Check(2);
        Assert.AreEqual("BaseOptions", Assert.ThrowsExactly<ArgumentNullException>(() => new DvnSearchSpace { BaseOptions = null! }.Check(2)).ParamName);
    }

    [TestMethod]
    public void TheDefaultWeightDecayIncludesZeroAndANullDimensionTakesTheBaseOptionsValue()
    {
        // Log-uniform 1e-6 .. 1e-3 in 3 points (1e-6, about 3.16e-5, 1e-3), and zero.
        var decay = new DvnSearchSpace().WeightDecay!.Grid(new DvnSearchSpace().Defaults);
        Assert.AreEqual(4, decay.Count);
        Assert.AreEqual(0, decay[0]);
        Assert.AreEqual(1e-6, decay[1], 1e-15);
        Assert.AreEqual(Math.Sqrt(1e-6 * 1e-3), decay[2], 1e-12);
        Assert.AreEqual(1e-3, decay[3], 1e-12);

        var fixedDecay = Small();
        fixedDecay.WeightDecay = null;
        fixedDecay.BaseOptions = new DvnEstimator.Options { WeightDecay = 0.01 };
        CollectionAssert.AreEqual(new[] { 0.01 }, fixedDecay.Grid(2).Select(g => g.Parameters!.WeightDecay).ToArray());
        var searched = Small();
        searched.WeightDecay = DvnSearch.Choice(0.1, 0.2);
        CollectionAssert.AreEqual(new[] { 0.1, 0.2 }, searched.Grid(2).Select(g => g.Parameters!.WeightDecay).ToArray());
    }

    // A space of one value per dimension but the weight decay.
    private static DvnSearchSpace Small() => new()
    {
        LearningRate = DvnSearch.Fixed(0.01),
        BatchSize = DvnSearch.Fixed(32),
        WeightDecay = DvnSearch.Fixed(0.0),
    };
}
