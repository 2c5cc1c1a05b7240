using Microsoft.ML.Dvn.Network;
using static Microsoft.ML.Dvn.Tests.TestData.ArgumentAssert;

namespace Microsoft.ML.Dvn.Tests.Network;

/// <summary>
/// What the network's building blocks refuse, and how they say it: each shape at the last value it accepts and the
/// first it refuses, with the whole message (written here by hand) and the parameter it names. These messages reach
/// users through DvnEstimator.Options and the sweep, so a changed word is a changed public behaviour.
/// </summary>
[TestClass]
public sealed class NetworkArgumentTests
{
    [TestMethod]
    public void AnMlpNeedsAtLeastOneHiddenLayerAndNamesTheFirstLayerOfNoWidth()
    {
        Assert.AreEqual("hiddenLayerSizes", Assert.ThrowsExactly<ArgumentNullException>(() => DvnArchitecture.Mlp(null!)).ParamName);
        Refuses<ArgumentException>(() => DvnArchitecture.Mlp(), "hiddenLayerSizes", "An MLP needs at least one hidden layer, whose units the tasks share.");
        Refuses<ArgumentOutOfRangeException>(() => DvnArchitecture.Mlp(8, 4, 0), "hiddenLayerSizes", "Layer 3 has width 0; every width must be positive.");
        Refuses<ArgumentOutOfRangeException>(() => DvnArchitecture.Mlp(1, -1, 0), "hiddenLayerSizes", "Layer 2 has width -1; every width must be positive.");
        Refuses<ArgumentOutOfRangeException>(() => DvnArchitecture.Mlp(0, 4), "hiddenLayerSizes", "Layer 1 has width 0; every width must be positive.");
        Assert.AreEqual(1, DvnArchitecture.Mlp(1).NarrowestLayer);
    }

    [TestMethod]
    public void ACnnNeedsAPositiveImageAConvolutionAndAnImageLargeEnoughForItsPooling()
    {
        Assert.AreEqual("convolutionChannels", Assert.ThrowsExactly<ArgumentNullException>(() => DvnArchitecture.Cnn(4, 4, 1, null!, new int[0])).ParamName);
        Assert.AreEqual("hiddenLayerSizes", Assert.ThrowsExactly<ArgumentNullException>(() => DvnArchitecture.Cnn(4, 4, 1, new[] { 2 }, null!)).ParamName);
        foreach (var (height, width, channels) in new[] { (0, 4, 1), (4, 0, 1), (4, 4, 0), (-1, 4, 1) })
            Refuses<ArgumentOutOfRangeException>(() => DvnArchitecture.Cnn(height, width, channels, new[] { 2 }, new int[0]), "height",
                $"Image height, width and channels must be positive; got {height} x {width} x {channels}.");
        Refuses<ArgumentException>(() => DvnArchitecture.Cnn(4, 4, 1, new int[0], new[] { 4 }), "convolutionChannels", "A CNN needs at least one convolution.");
        Refuses<ArgumentOutOfRangeException>(() => DvnArchitecture.Cnn(4, 4, 1, new[] { 2, 0 }, new int[0]), "convolutionChannels",
            "Layer 2 has width 0; every width must be positive.");
        Refuses<ArgumentOutOfRangeException>(() => DvnArchitecture.Cnn(4, 4, 1, new[] { 2 }, new[] { 3, 0 }), "hiddenLayerSizes",
            "Layer 2 has width 0; every width must be positive.");
        // 2 x 2 pooled once (1 x 1) and 4 x 8 pooled twice (1 x 2) fit; one pooling more leaves no pixel on a side.
        Assert.AreEqual(4, DvnArchitecture.Cnn(2, 2, 1, new[] { 2 }, new int[0]).RequiredFeatureLength);
        Assert.AreEqual(3 * 4 * 8, DvnArchitecture.Cnn(4, 8, 3, new[] { 2, 2 }, new int[0]).RequiredFeatureLength);
        foreach (var (height, width) in new[] { (4, 8), (8, 4) })
            Refuses<ArgumentException>(() => DvnArchitecture.Cnn(height, width, 1, new[] { 2, 2, 2 }, new int[0]), "convolutionChannels",
                $"An image of {height} x {width} pixels is too small for 3 convolutions: each halves it with 2x2 max-pooling.");
        Refuses<ArgumentException>(() => DvnArchitecture.Cnn(2, 2, 1, new[] { 2, 2 }, new int[0]), "convolutionChannels",
            "An image of 2 x 2 pixels is too small for 2 convolutions: each halves it with 2x2 max-pooling.");
        Refuses<ArgumentException>(() => DvnArchitecture.Cnn(1, 1, 1, new[] { 2 }, new int[0]), "convolutionChannels",
            "An image of 1 x 1 pixels is too small for 1 convolutions: each halves it with 2x2 max-pooling.");
    }

    [TestMethod]
    public void AnImageSideHalvesAtEachPoolingAndNothingIsLeftAfterThirtyOneOrMore()
    {
        Assert.AreEqual(28, DvnArchitecture.PooledSide(28, 0));
        Assert.AreEqual(14, DvnArchitecture.PooledSide(28, 1));
        Assert.AreEqual(3, DvnArchitecture.PooledSide(28, 3));
        Assert.AreEqual(0, DvnArchitecture.PooledSide(28, 5));
        // int.MaxValue = 2^31 - 1 halved 30 times is 1; a C# shift by 31 would be 0 anyway, but by 32 it would keep the side.
        Assert.AreEqual(1, DvnArchitecture.PooledSide(int.MaxValue, 30));
        Assert.AreEqual(0, DvnArchitecture.PooledSide(int.MaxValue, 31));
        Assert.AreEqual(0, DvnArchitecture.PooledSide(int.MaxValue, 32));
        Assert.AreEqual(0, DvnArchitecture.PooledSide(28, 64));
    }

    [TestMethod]
    public void AnArchitectureDescribesAndComparesItselfByKindImageAndWidths()
    {
        var cnn = DvnArchitecture.Cnn(28, 20, 3, new[] { 48, 96 }, new[] { 96, 32 });
        Assert.AreEqual("Mlp(240, 120)", DvnArchitecture.Mlp(240, 120).ToString());
        Assert.AreEqual("Cnn(28x20x3, conv [48, 96], hidden [96, 32])", cnn.ToString());
        Assert.AreEqual("Cnn(4x4x1, conv [8], hidden [])", DvnArchitecture.Cnn(4, 4, 1, new[] { 8 }, new int[0]).ToString());
        // The narrowest of all the hidden widths, convolutions and fully connected layers alike.
        Assert.AreEqual(32, cnn.NarrowestLayer);
        Assert.AreEqual(8, DvnArchitecture.Cnn(28, 28, 1, new[] { 8, 16 }, new[] { 64 }).NarrowestLayer);
        Assert.AreEqual(28 * 20 * 3, cnn.RequiredFeatureLength);
        Assert.IsNull(DvnArchitecture.Mlp(4).RequiredFeatureLength);

        var same = DvnArchitecture.Cnn(28, 20, 3, new[] { 48, 96 }, new[] { 96, 32 });
        Assert.IsTrue(cnn.Equals(same));
        Assert.IsTrue(cnn.Equals((object)same));
        Assert.AreEqual(cnn.GetHashCode(), same.GetHashCode());
        Assert.IsFalse(cnn.Equals(null));
        Assert.IsFalse(cnn.Equals((object)"Cnn(28x20x3, conv [48, 96], hidden [96, 32])"));
        foreach (var other in new[]
                 {
                     DvnArchitecture.Cnn(20, 20, 3, new[] { 48, 96 }, new[] { 96, 32 }),
                     DvnArchitecture.Cnn(28, 28, 3, new[] { 48, 96 }, new[] { 96, 32 }),
                     DvnArchitecture.Cnn(28, 20, 1, new[] { 48, 96 }, new[] { 96, 32 }),
                     DvnArchitecture.Cnn(28, 20, 3, new[] { 48, 48 }, new[] { 96, 32 }),
                     DvnArchitecture.Cnn(28, 20, 3, new[] { 48 }, new[] { 96, 96, 32 }),
                     DvnArchitecture.Cnn(28, 20, 3, new[] { 48, 96 }, new[] { 96 }),
                 })
        {
            Assert.IsFalse(cnn.Equals(other), other.ToString());
            Assert.IsFalse(other.Equals(cnn), other.ToString());
        }
        // Same widths, different kind: an MLP of the same hidden layers is another backbone.
        Assert.IsFalse(DvnArchitecture.Mlp(8).Equals(DvnArchitecture.Cnn(2, 2, 1, new[] { 8 }, new int[0])));
        Assert.IsTrue(DvnArchitecture.Mlp(8, 4).Equals(DvnArchitecture.Mlp(8, 4)));
        Assert.IsFalse(DvnArchitecture.Mlp(8, 4).Equals(DvnArchitecture.Mlp(4, 8)));
    }

    [TestMethod]
    public void ANetworkRefusesClassCountsFeaturesAndUnitsThatDoNotFitItsShape()
    {
        var mlp = DvnArchitecture.Mlp(4, 3);
        Refuses<ArgumentException>(() => new DvnNetwork(mlp, 5, new[] { 2 }, new UnitAllocation(2, 2, 1), 1), "classCounts",
            "1 class counts given for 2 tasks.");
        Refuses<ArgumentException>(() => new DvnNetwork(mlp, 5, new[] { 2, 3, 0 }, new UnitAllocation(3, 2, 1), 1), "classCounts",
            "Task 3 has 0 classes; every task needs at least one.");
        Refuses<ArgumentException>(() => new DvnNetwork(mlp, 5, new[] { -1, 0 }, new UnitAllocation(2, 2, 1), 1), "classCounts",
            "Task 1 has -1 classes; every task needs at least one.");
        Refuses<ArgumentOutOfRangeException>(() => new DvnNetwork(mlp, 0, new[] { 2 }, new UnitAllocation(1, 2, 1), 1), "inputSize",
            "The feature vector must have at least one value; got 0.");
        var cnn = DvnArchitecture.Cnn(4, 6, 2, new[] { 3 }, new int[0]);
        Refuses<ArgumentException>(() => new DvnNetwork(cnn, 47, new[] { 2 }, new UnitAllocation(1, 1, 1), 1), "inputSize",
            "The CNN reads images of 2 x 4 x 6 = 48 values, but the feature vector has 47.");
        // 3 units fit the narrowest layer of 3 channels; 4 do not.
        using (var fits = new DvnNetwork(mlp, 5, new[] { 2 }, new UnitAllocation(1, 3, 1), 1))
            Assert.AreEqual(3, fits.Allocation.NumberOfUnits);
        Refuses<ArgumentException>(() => new DvnNetwork(mlp, 5, new[] { 2 }, new UnitAllocation(1, 4, 1), 1), "units",
            "4 units do not fit the narrowest hidden layer of Mlp(4, 3), which has 3 channels: every unit needs at least one channel in every layer.");
    }

    [TestMethod]
    public void AnAllocationRefusesShapesWithoutATaskAUnitOrALevelAndAnOrderOfOtherTasks()
    {
        Refuses<ArgumentOutOfRangeException>(() => new UnitAllocation(0, 2, 1), "numberOfTasks", "A DVN needs at least one task; got 0.");
        Refuses<ArgumentOutOfRangeException>(() => new UnitAllocation(1, 0, 1), "numberOfUnits", "A DVN needs at least one unit; got 0.");
        foreach (int levels in new[] { 0, 4 })
            Refuses<ArgumentOutOfRangeException>(() => new UnitAllocation(2, 3, levels), "numberOfLevels",
                $"The number of levels must be between 1 and the number of units (3), so that every level adds at least one unit; got {levels}.");
        Refuses<ArgumentException>(() => new UnitAllocation(2, 3, 3, TaskOrder.Identity(3)), "order", "A task order of 3 tasks for 2 tasks.");

        var allocation = new UnitAllocation(2, 3, 3);
        foreach (int task in new[] { 0, 3 })
        {
            Refuses<ArgumentOutOfRangeException>(() => allocation.HomeUnit(task), "task", $"Task {task} does not exist: tasks are 1..2.");
            Refuses<ArgumentOutOfRangeException>(() => allocation.Units(task, 1), "task", $"Task {task} does not exist: tasks are 1..2.");
        }
        foreach (int level in new[] { 0, 4 })
        {
            Refuses<ArgumentOutOfRangeException>(() => allocation.UnitsAtLevel(level), "level", $"Level {level} does not exist: levels are 1..3.");
            Refuses<ArgumentOutOfRangeException>(() => allocation.Units(1, level), "level", $"Level {level} does not exist: levels are 1..3.");
        }
        // The last task and level exist: home units floor((p - 1) K / T) + 1 = 1 and 2; level 3 has all 3 units.
        Assert.AreEqual(2, allocation.HomeUnit(2));
        Assert.AreEqual(3, allocation.UnitsAtLevel(3));
    }

    [TestMethod]
    public void ATaskOrderListsEveryTaskOnce()
    {
        Refuses<ArgumentException>(() => new TaskOrder(new int[0]), "tasksByPosition", "A task order needs at least one task.");
        foreach (var order in new[] { new[] { 1, 1 }, new[] { 0, 1 }, new[] { 1, 3 }, new[] { 2, 2 } })
            Refuses<ArgumentException>(() => new TaskOrder(order), "tasksByPosition",
                $"A task order must list each task 1..2 once; got {string.Join(", ", order)}.");
        var reversed = new TaskOrder(new[] { 3, 1, 2 });
        Assert.AreEqual("3, 1, 2", reversed.ToString());
        Assert.AreEqual(2, reversed.Position(1));
        Assert.AreEqual(1, reversed.Position(3));
    }

    [TestMethod]
    public void ALayoutNeedsAChannelAUnitAndARangeWithinItsUnits()
    {
        Refuses<ArgumentOutOfRangeException>(() => new UnitLayout(4, 0), "numberOfUnits", "The number of units must be at least 1; got 0.");
        Refuses<ArgumentOutOfRangeException>(() => new UnitLayout(3, 4), "width",
            "A layer of width 3 cannot be cut into 4 units: every unit needs at least one channel.");
        // A width of exactly its number of units: one channel each.
        var layout = new UnitLayout(4, 4);
        Assert.AreEqual(1, layout.Size(4));
        Assert.AreEqual(new ChannelSlice(3, 1), layout.Slice(new UnitRange(4, 4)));
        // 10 channels in 4 units: 3, 3, 2, 2 (the first 10 mod 4 = 2 units get one more).
        var uneven = new UnitLayout(10, 4);
        Assert.AreEqual(new ChannelSlice(3, 5), uneven.Slice(new UnitRange(2, 3)));
        Refuses<ArgumentOutOfRangeException>(() => uneven.Slice(new UnitRange(3, 5)), "units", "Unit range {3..5} exceeds the 4 units of this layer.");
        Refuses<ArgumentOutOfRangeException>(() => uneven.Slice(new UnitRange(5, 5)), "units", "Unit range {5} exceeds the 4 units of this layer.");
    }

    [TestMethod]
    public void AUnitRangeRunsFromAFirstUnitOfAtLeastOneToALastNotBeforeIt()
    {
        foreach (var (first, last) in new[] { (0, 1), (2, 1), (-1, 3) })
            Refuses<ArgumentOutOfRangeException>(() => new UnitRange(first, last), "first", $"A unit range needs 1 <= first <= last; got {first}..{last}.");
        var range = new UnitRange(2, 4);
        Assert.AreEqual(3, range.Count);
        CollectionAssert.AreEqual(new[] { 2, 3, 4 }, range.ToArray());
        Assert.AreEqual("{2..4}", range.ToString());
        Assert.AreEqual("{1}", new UnitRange(1, 1).ToString());
    }
}
