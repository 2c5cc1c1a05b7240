namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>Assertions about sweep results.</summary>
internal static class SweepAssert
{
    /// <summary>The same trials (id, status, epochs, parameters) with bit-identical levels, and the same base options' levels.</summary>
    public static void SameTrials(DvnSweepResult expected, DvnSweepResult actual)
    {
        CollectionAssert.AreEqual(expected.Trials.Select(t => (t.Id, t.Status, t.Epochs, t.Parameters)).ToArray(),
            actual.Trials.Select(t => (t.Id, t.Status, t.Epochs, t.Parameters)).ToArray());
        for (int i = 0; i < expected.Trials.Count; i++)
            CollectionAssert.AreEqual(expected.Trials[i].Levels.ToArray(), actual.Trials[i].Levels.ToArray(), $"trial {expected.Trials[i].Id}");
        CollectionAssert.AreEqual(expected.BaseOptionsTrial!.Levels.ToArray(), actual.BaseOptionsTrial!.Levels.ToArray());
    }
}
