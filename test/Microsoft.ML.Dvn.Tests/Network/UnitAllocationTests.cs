using Microsoft.ML.Dvn.Network;

namespace Microsoft.ML.Dvn.Tests.Network;

[TestClass]
public sealed class UnitAllocationTests
{
    [TestMethod]
    public void ThreeTasksThreeUnitsThreeLevelsMatchThePapersTable()
    {
        var allocation = new UnitAllocation(numberOfTasks: 3, numberOfUnits: 3, numberOfLevels: 3);
        int[][][] expected =
        {
            new[] { new[] { 1 }, new[] { 1, 2 }, new[] { 1, 2, 3 } },
            new[] { new[] { 2 }, new[] { 1, 2 }, new[] { 1, 2, 3 } },
            new[] { new[] { 3 }, new[] { 2, 3 }, new[] { 1, 2, 3 } },
        };
        for (int t = 1; t <= 3; t++)
            for (int j = 1; j <= 3; j++)
                CollectionAssert.AreEqual(expected[t - 1][j - 1], allocation.Units(t, j).ToArray(), $"task {t}, level {j}");
    }

    [TestMethod]
    public void LevelsAreNestedContiguousFromHomeUnitToAllUnitsForManyShapes()
    {
        int checkedShapes = 0;
        for (int tasks = 1; tasks <= 7; tasks++)
            for (int units = 1; units <= 9; units++)
                for (int levels = 1; levels <= units; levels++)
                {
                    var allocation = new UnitAllocation(tasks, units, levels);
                    for (int t = 1; t <= tasks; t++)
                    {
                        int home = allocation.HomeUnit(t);
                        Assert.IsTrue(home >= 1 && home <= units);
                        var first = allocation.Units(t, 1);
                        Assert.IsTrue(first.Contains(home), $"T={tasks} K={units} L={levels} task {t}: level 1 lacks home unit {home}");
                        Assert.AreEqual((int)Math.Ceiling((double)units / levels), first.Count);
                        var last = allocation.Units(t, levels);
                        Assert.AreEqual(new UnitRange(1, units), last, $"T={tasks} K={units} L={levels} task {t}: top level is not all units");
                        for (int j = 2; j <= levels; j++)
                        {
                            var lower = allocation.Units(t, j - 1);
                            var upper = allocation.Units(t, j);
                            Assert.IsTrue(upper.Contains(lower), $"level {j} of task {t} does not contain level {j - 1}");
                            Assert.IsTrue(upper.Count > lower.Count, $"level {j} of task {t} adds no unit");
                            var ids = upper.ToArray();
                            CollectionAssert.AreEqual(Enumerable.Range(ids[0], ids.Length).ToArray(), ids, "not contiguous");
                        }
                    }
                    checkedShapes++;
                }
        Assert.AreEqual(7 * 45, checkedShapes);
    }

    [TestMethod]
    public void EveryLevelIsTheNearestUnitsOfASortByDistanceThenIndexForEveryShapeUpToNine()
    {
        for (int tasks = 1; tasks <= 9; tasks++)
            for (int units = 1; units <= 9; units++)
                for (int levels = 1; levels <= units; levels++)
                {
                    var allocation = new UnitAllocation(tasks, units, levels);
                    for (int t = 1; t <= tasks; t++)
                    {
                        int home = (t - 1) * units / tasks + 1;
                        for (int j = 1; j <= levels; j++)
                        {
                            int count = (j * units + levels - 1) / levels;
                            var expected = Enumerable.Range(1, units).OrderBy(u => Math.Abs(u - home)).ThenBy(u => u).Take(count).Order().ToArray();
                            CollectionAssert.AreEqual(expected, allocation.Units(t, j).ToArray(), $"T={tasks} K={units} L={levels} task {t} level {j}");
                        }
                    }
                }
    }

    [TestMethod]
    public void TheRuleAtTheLargestUnitCountGivesTheNearestUnitsOfEveryTask()
    {
        var allocation = new UnitAllocation(3, int.MaxValue, 2);

        Assert.AreEqual(new UnitRange(1, 1_073_741_824), allocation.Units(1, 1));
        Assert.AreEqual(new UnitRange(178_956_971, 1_252_698_794), allocation.Units(2, 1), "home 715,827,883: 536,870,912 units below, 536,870,911 above");
        Assert.AreEqual(new UnitRange(894_784_853, 1_968_526_676), allocation.Units(3, 1), "home 1,431,655,765");
        Assert.AreEqual(new UnitRange(1, int.MaxValue), allocation.Units(2, 2));
    }

    [TestMethod]
    public void UnitsAreTakenNearestFirstWithTiesTowardTheLowerUnit()
    {
        // K = 5, one task per unit, L = K: task 3 grows 3 -> {2,3} (tie 2 vs 4 goes low) -> {2..4} -> {1..4} -> {1..5}.
        var allocation = new UnitAllocation(5, 5, 5);
        var growth = Enumerable.Range(1, 5).Select(j => allocation.Units(3, j)).ToArray();
        CollectionAssert.AreEqual(
            new[] { new UnitRange(3, 3), new UnitRange(2, 3), new UnitRange(2, 4), new UnitRange(1, 4), new UnitRange(1, 5) },
            growth);
    }

    [TestMethod]
    public void HomeUnitsSpreadEvenlyWhenUnitsAndTasksDiffer()
    {
        var twoTasksSixUnits = new UnitAllocation(2, 6, 3);
        Assert.AreEqual(1, twoTasksSixUnits.HomeUnit(1));
        Assert.AreEqual(4, twoTasksSixUnits.HomeUnit(2));
        Assert.AreEqual(new UnitRange(2, 5), twoTasksSixUnits.Units(2, 2), "m_2 = ceil(2*6/3) = 4 units nearest unit 4: 4, 3, 5, 2");

        var fourTasksTwoUnits = new UnitAllocation(4, 2, 2);
        CollectionAssert.AreEqual(new[] { 1, 1, 2, 2 }, Enumerable.Range(1, 4).Select(fourTasksTwoUnits.HomeUnit).ToArray());
    }

    [TestMethod]
    public void MoreLevelsThanUnitsIsRejectedWithTheCounts()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new UnitAllocation(2, 3, 4));
        StringAssert.Contains(error.Message, "between 1 and the number of units (3)");
        StringAssert.Contains(error.Message, "got 4");
    }
}
