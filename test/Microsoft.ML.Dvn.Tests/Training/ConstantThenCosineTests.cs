using Microsoft.ML.Dvn.Training;

namespace Microsoft.ML.Dvn.Tests.Training;

/// <summary>
/// The shape of <see cref="DvnLearningRateSchedule.ConstantThenCosine"/>: the full rate for the first half of the
/// steps, then half a cosine over the second half. Expected rates are worked out by hand in the comments
/// (cos(pi/5) = 0.809017, cos(pi/3) = 0.5, cos(x) = 1 - x^2/2 for small x), not by the code under test.
/// </summary>
[TestClass]
public sealed class ConstantThenCosineTests
{
    private static double Rate(long step, long steps) => LearningRates.At(DvnLearningRateSchedule.ConstantThenCosine, 0.01, step, steps);

    [TestMethod]
    public void AShortRunKeepsTheFullRateForItsFirstHalf()
    {
        // 10 steps: steps 0-4 at 0.01; the decay starts at step 5 (cosine of 0) and runs over 5 steps.
        for (int step = 0; step <= 5; step++)
            Assert.AreEqual(0.01, Rate(step, 10), 1e-15, $"step {step}");
        Assert.AreEqual(0.01 * 0.5 * (1 + 0.8090170), Rate(6, 10), 1e-9);   // cos(pi/5)
        Assert.AreEqual(0.01 * 0.5 * (1 - 0.8090170), Rate(9, 10), 1e-9);   // cos(4 pi/5) = -cos(pi/5)

        // 3 steps: the middle is step 1.5, so steps 0 and 1 at the full rate, step 2 at cos(pi/3): 0.0075.
        Assert.AreEqual(0.01, Rate(0, 3), 1e-15);
        Assert.AreEqual(0.01, Rate(1, 3), 1e-15);
        Assert.AreEqual(0.0075, Rate(2, 3), 1e-12);

        // One step: the full rate.
        Assert.AreEqual(0.01, Rate(0, 1), 1e-15);
    }

    [TestMethod]
    public void ALongRunFallsFromTheMiddleThroughHalfAtThreeQuartersTowardsZero()
    {
        const long steps = 1000;
        Assert.AreEqual(0.01, Rate(0, steps), 1e-15);
        Assert.AreEqual(0.01, Rate(499, steps), 1e-15);
        Assert.AreEqual(0.01, Rate(500, steps), 1e-15);
        Assert.AreEqual(0.005, Rate(750, steps), 1e-12);
        // Step 999: cos(pi * 499/500) = -(1 - (pi/500)^2 / 2), so the rate is 0.01 * (pi/500)^2 / 4 = 9.87e-8.
        Assert.AreEqual(9.8696e-8, Rate(999, steps), 1e-11);
        for (int step = 501; step < steps; step++)
            Assert.IsTrue(Rate(step, steps) < Rate(step - 1, steps), $"step {step} does not fall");
    }

}
