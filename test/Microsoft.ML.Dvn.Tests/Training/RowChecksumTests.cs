using Microsoft.ML.Dvn.Training;

namespace Microsoft.ML.Dvn.Tests.Training;

[TestClass]
public sealed class RowChecksumTests
{
    [TestMethod]
    public void EveryBitOfEveryFeatureValueTheLabelAndTheTaskChangesTheRowHash()
    {
        // 11 values: two rounds of the four lanes, one word after them and an odd value at the end.
        var features = Enumerable.Range(0, 11).Select(i => i * 0.37f - 1).ToArray();
        ulong original = RowChecksum.Of(2, 1, features);
        var hashes = new HashSet<ulong> { original };

        for (int i = 0; i < features.Length; i++)
            for (int bit = 0; bit < 32; bit++)
            {
                var changed = features.ToArray();
                changed[i] = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(changed[i]) ^ (1u << bit));
                Assert.IsTrue(hashes.Add(RowChecksum.Of(2, 1, changed)), $"value {i}, bit {bit}: a hash seen before");
            }
        Assert.IsTrue(hashes.Add(RowChecksum.Of(2, 0, features)), "another label");
        Assert.IsTrue(hashes.Add(RowChecksum.Of(3, 1, features)), "another task");
        Assert.IsTrue(hashes.Add(RowChecksum.Of(2, 1, features.AsSpan(0, 10))), "one value fewer");
        Assert.AreEqual(original, RowChecksum.Of(2, 1, features.ToArray()), "the same row hashed twice");
    }
}
