using Microsoft.ML.Dvn.Pipeline;

namespace Microsoft.ML.Dvn.Tests.Pipeline;

[TestClass]
public sealed class BudgetValueTests
{
    private const long TwoTo53 = 1L << 53;

    [TestMethod]
    public void ADoubleBudgetComparesExactlyWithCostsThatADoubleCannotHold()
    {
        // 2^53 + 1 has no double: a comparison in doubles would round it to 2^53 and let it fit.
        Assert.IsFalse(BudgetValue.Of((double)TwoTo53).Allows(TwoTo53 + 1));
        Assert.IsTrue(BudgetValue.Of((double)TwoTo53).Allows(TwoTo53));
        Assert.IsTrue(BudgetValue.Of(70_000.5).Allows(70_000));
        Assert.IsFalse(BudgetValue.Of(69_999.999).Allows(70_000));
        Assert.IsTrue(BudgetValue.Of(double.PositiveInfinity).Allows(long.MaxValue));
        Assert.IsTrue(BudgetValue.Of(1e19).Allows(long.MaxValue));
        Assert.IsFalse(BudgetValue.Of(-1e19).Allows(0));
        Assert.IsFalse(BudgetValue.Of(-0.5).Allows(0));
    }

    [TestMethod]
    public void AnInt64BudgetStaysExact()
    {
        Assert.IsFalse(BudgetValue.Of(TwoTo53).Allows(TwoTo53 + 1));
        Assert.IsTrue(BudgetValue.Of(TwoTo53 + 1).Allows(TwoTo53 + 1));
        Assert.IsTrue(BudgetValue.Of(long.MaxValue).Allows(long.MaxValue));
        Assert.IsFalse(BudgetValue.Of(long.MaxValue - 1).Allows(long.MaxValue));
    }

    [TestMethod]
    public void LatencyCostsCompareExactlyWithWholeAndFractionalBudgets()
    {
        Assert.IsTrue(BudgetValue.Of(100L).Allows(100.0));
        Assert.IsFalse(BudgetValue.Of(100L).Allows(100.000001));
        Assert.IsTrue(BudgetValue.Of(100.5).Allows(100.5));
        Assert.IsFalse(BudgetValue.Of(100.5).Allows(Math.BitIncrement(100.5)));
        Assert.IsFalse(BudgetValue.Of(long.MaxValue).Allows(1e19));
    }

    [TestMethod]
    public void OnlyNaNIsAMissingBudget()
    {
        Assert.IsTrue(BudgetValue.Missing.IsMissing);
        Assert.IsTrue(BudgetValue.Of(double.NaN).IsMissing);
        Assert.IsFalse(BudgetValue.Of(0.0).IsMissing);
        Assert.IsFalse(BudgetValue.Of(0L).IsMissing);
        Assert.AreEqual("9007199254740993", BudgetValue.Of(TwoTo53 + 1).ToString());
        Assert.AreEqual("0.1", BudgetValue.Of(0.1).ToString());
    }
}
