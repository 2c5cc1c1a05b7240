using static Microsoft.ML.Dvn.Tests.TestData.ArgumentAssert;

namespace Microsoft.ML.Dvn.Tests.Sweep;

/// <summary>
/// The public search dimensions (<see cref="DvnSearch"/>): what each refuses, with the whole message and the
/// parameter it names, and the grids and draws of the ones it accepts, worked out by hand (evenly spaced points, on a
/// log scale for the log-uniform ones; MLP widths rounded to the nearest integer).
/// </summary>
[TestClass]
public sealed class SearchDimensionTests
{
    private static readonly DvnSweepParameters Drawn = new DvnSearchSpace().Defaults with { NumberOfLevels = 3 };

    [TestMethod]
    public void EachDimensionRefusesARangeItCannotDrawFromNamingTheValues()
    {
        Assert.AreEqual("values", Assert.ThrowsExactly<ArgumentNullException>(() => DvnSearch.Choice<int>(null!)).ParamName);
        Refuses<ArgumentException>(() => DvnSearch.Choice<int>(), "values", "A choice needs at least one value.");
        foreach (var (minimum, maximum) in new[] { (0.0, 1.0), (-1.0, 1.0), (1.0, double.PositiveInfinity), (2.0, 1.0), (double.NaN, 1.0), (1.0, double.NaN) })
        {
            Refuses<ArgumentOutOfRangeException>(() => DvnSearch.LogUniform(minimum, maximum), "minimum",
                $"A log-uniform range needs 0 < minimum <= maximum < infinity; got {minimum} .. {maximum}.");
            Refuses<ArgumentOutOfRangeException>(() => DvnSearch.LevelWeights(minimum, maximum), "minimum",
                $"Level weights need 0 < minimum <= maximum < infinity; got {minimum} .. {maximum}.");
        }
        foreach (var (minimum, maximum) in new[] { (double.NaN, 1.0), (double.NegativeInfinity, 1.0), (0.0, double.PositiveInfinity), (2.0, 1.0) })
            Refuses<ArgumentOutOfRangeException>(() => DvnSearch.Uniform(minimum, maximum), "minimum",
                $"A uniform range needs finite minimum <= maximum; got {minimum} .. {maximum}.");
        foreach (int points in new[] { 0, -1 })
        {
            Refuses<ArgumentOutOfRangeException>(() => DvnSearch.Uniform(0, 1, points), "gridPoints",
                $"A range needs at least 2 grid points (1 when minimum = maximum); got {points}.");
            Refuses<ArgumentOutOfRangeException>(() => DvnSearch.LogUniform(1, 1, gridPoints: points), "gridPoints",
                $"A range needs at least 2 grid points (1 when minimum = maximum); got {points}.");
            Refuses<ArgumentOutOfRangeException>(() => DvnSearch.MlpWidths(1, 8, 16, points), "gridPoints", $"A grid needs at least one point; got {points}.");
        }
        Refuses<ArgumentOutOfRangeException>(() => DvnSearch.Uniform(0, 1, 1), "gridPoints", "A range needs at least 2 grid points (1 when minimum = maximum); got 1.");
        Refuses<ArgumentOutOfRangeException>(() => DvnSearch.LogUniform(0.1, 1, gridPoints: 1), "gridPoints",
            "A range needs at least 2 grid points (1 when minimum = maximum); got 1.");
        Refuses<ArgumentOutOfRangeException>(() => DvnSearch.Integers(3, 2), "maximum", "An integer range needs minimum <= maximum; got 3 .. 2.");
        Refuses<ArgumentOutOfRangeException>(() => DvnSearch.Integers(1, 2, 0), "step", "An integer range needs a step of at least 1; got 0.");
        Refuses<ArgumentOutOfRangeException>(() => DvnSearch.MlpWidths(0, 8, 16), "layers", "An MLP needs at least one hidden layer; got 0.");
        foreach (var (minimum, maximum) in new[] { (0, 16), (-1, 16), (17, 16) })
            Refuses<ArgumentOutOfRangeException>(() => DvnSearch.MlpWidths(1, minimum, maximum), "minimumWidth",
                $"Widths need 1 <= minimum <= maximum; got {minimum} .. {maximum}.");
        Assert.AreEqual("choose", Assert.ThrowsExactly<ArgumentNullException>(() => DvnSearch.Dependent<int>(null!)).ParamName);
        var none = DvnSearch.Dependent<int>(_ => null!);
        Assert.AreEqual("A dependent search dimension's function returned null instead of a dimension.",
            Assert.ThrowsExactly<InvalidOperationException>(() => none.Grid(Drawn)).Message);
    }

    [TestMethod]
    public void GridsAreEvenlySpacedOnTheirScaleAndASinglePointRangeIsItsValue()
    {
        AreClose(new[] { 0, 0.25, 0.5, 0.75, 1 }, DvnSearch.Uniform(0, 1, 5).Grid(Drawn));
        AreClose(new[] { 2.0 }, DvnSearch.Uniform(2, 2, 1).Grid(Drawn));
        AreClose(new[] { 1e-3, 1e-2, 1e-1 }, DvnSearch.LogUniform(1e-3, 1e-1).Grid(Drawn));
        AreClose(new[] { 0, 1e-4, 1e-2 }, DvnSearch.LogUniform(1e-4, 1e-2, includeZero: true, gridPoints: 2).Grid(Drawn));
        AreClose(new[] { 0.5 }, DvnSearch.LogUniform(0.5, 0.5, gridPoints: 1).Grid(Drawn));
        CollectionAssert.AreEqual(new[] { 1, 5, 9 }, DvnSearch.Integers(1, 10, 4).Grid(Drawn).ToArray());
        CollectionAssert.AreEqual(new[] { 7 }, DvnSearch.Integers(7, 7).Grid(Drawn).ToArray());

        // 16 .. 64 in 3 points: 16, 40, 64; 10 .. 12 has 3 widths, so 5 points are 3; 10 .. 11 in 3 points is 10, 11.
        Assert.AreEqual("Mlp(16, 16); Mlp(40, 40); Mlp(64, 64)", Describe(DvnSearch.MlpWidths(2, 16, 64).Grid(Drawn)));
        Assert.AreEqual("Mlp(10); Mlp(11); Mlp(12)", Describe(DvnSearch.MlpWidths(1, 10, 12, 5).Grid(Drawn)));
        Assert.AreEqual("Mlp(10); Mlp(11)", Describe(DvnSearch.MlpWidths(1, 10, 11).Grid(Drawn)));
        Assert.AreEqual("Mlp(10)", Describe(DvnSearch.MlpWidths(1, 10, 100, 1).Grid(Drawn)));
        // 8 .. 15 in 3 points: offsets 0, 3.5 (rounded to even: 4) and 7.
        Assert.AreEqual("Mlp(8); Mlp(12); Mlp(15)", Describe(DvnSearch.MlpWidths(1, 8, 15).Grid(Drawn)));
        Assert.AreEqual("Mlp(8, 8, 8); Mlp(15, 15, 15)", Describe(DvnSearch.MlpWidths(3, 8, 15).Bounds(Drawn)));

        // Level weights for 3 levels: none (every level 1), rising 0.5, 1, 2, and falling.
        var weights = DvnSearch.LevelWeights(0.5, 2).Grid(Drawn);
        Assert.AreEqual(3, weights.Count);
        Assert.IsNull(weights[0]);
        AreClose(new[] { 0.5, 1, 2 }, weights[1]!);
        AreClose(new[] { 2, 1, 0.5 }, weights[2]!);
        var equal = DvnSearch.LevelWeights(1, 1).Grid(Drawn);
        Assert.AreEqual(2, equal.Count);
        AreClose(new[] { 1.0, 1, 1 }, equal[1]!);
    }

    [TestMethod]
    public void DrawsStayInTheirRangeAndZeroAndEqualWeightsComeAQuarterOfTheTime()
    {
        var random = new Random(5);
        const int Draws = 4000;
        var uniform = Enumerable.Range(0, Draws).Select(_ => DvnSearch.Uniform(2, 3).Sample(random, Drawn)).ToArray();
        Assert.IsTrue(uniform.All(v => v >= 2 && v <= 3) && uniform.Max() > 2.95 && uniform.Min() < 2.05, $"{uniform.Min()} .. {uniform.Max()}");
        // Half the log-uniform draws of 1e-4 .. 1e-2 fall below 1e-3, the range's middle on a log scale.
        var log = Enumerable.Range(0, Draws).Select(_ => DvnSearch.LogUniform(1e-4, 1e-2).Sample(random, Drawn)).ToArray();
        Assert.IsTrue(log.All(v => v >= 1e-4 && v <= 1e-2), $"{log.Min()} .. {log.Max()}");
        Assert.AreEqual(0.5, log.Count(v => v < 1e-3) / (double)Draws, 0.04);
        var withZero = Enumerable.Range(0, Draws).Select(_ => DvnSearch.LogUniform(1e-4, 1e-2, includeZero: true).Sample(random, Drawn)).ToArray();
        Assert.AreEqual(0.25, withZero.Count(v => v == 0) / (double)Draws, 0.03);
        Assert.IsTrue(withZero.Where(v => v != 0).All(v => v >= 1e-4 && v <= 1e-2));

        var weights = Enumerable.Range(0, Draws).Select(_ => DvnSearch.LevelWeights(0.5, 2).Sample(random, Drawn)).ToArray();
        Assert.AreEqual(0.25, weights.Count(w => w is null) / (double)Draws, 0.03);
        Assert.IsTrue(weights.Where(w => w is not null).All(w => w!.Length == 3 && w.All(v => v >= 0.5 && v <= 2)));
        Assert.AreEqual(0.5, weights.Where(w => w is not null).SelectMany(w => w!).Count(v => v < 1) / (3.0 * weights.Count(w => w is not null)), 0.04);

        var widths = Enumerable.Range(0, Draws).Select(_ => DvnSearch.MlpWidths(2, 8, 10).Sample(random, Drawn)).SelectMany(a => a.HiddenLayerSizes).ToArray();
        CollectionAssert.AreEquivalent(new[] { 8, 9, 10 }, widths.Distinct().ToArray());
    }

    private static void AreClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Assert.AreEqual(expected.Count, actual.Count, string.Join(", ", actual));
        for (int i = 0; i < expected.Count; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-12 + 1e-9 * Math.Abs(expected[i]), $"point {i}: {string.Join(", ", actual)}");
    }

    private static string Describe(IEnumerable<DvnArchitecture> architectures) => string.Join("; ", architectures);
}
