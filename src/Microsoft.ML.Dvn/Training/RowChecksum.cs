using System.Numerics;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Dvn.Training;

/// <summary>
/// A 64-bit checksum of a set of rows: the sum (modulo 2^64) of every row's hash over its task, class and the bytes of its
/// feature values. A sum, so the same rows in another order give the same checksum (streamed training shuffles them
/// anyway); a changed feature value, a label moved to another row or a row moved to another task changes it, except
/// with a probability of about 2^-64. Not cryptographic: it detects data that changed, not data made to collide.
/// </summary>
/// <remarks>
/// The row hash is xxHash64's round (multiply, rotate, multiply) in four independent lanes over the features as 64-bit
/// words, then MurmurHash3's finalizer: every step is a bijection of the word it takes in, so a row that differs from
/// another in one word always hashes differently. Four lanes keep the multiplications out of each other's way: about
/// 2 cycles a word, against the microseconds a row spends being decoded from an IDataView and trained on. Unchecked:
/// the arithmetic is modulo 2^64 by design (the project checks overflow everywhere else).
/// </remarks>
internal static class RowChecksum
{
    private const ulong Prime1 = 0x9E3779B185EBCA87, Prime2 = 0xC2B2AE3D27D4EB4F, Prime3 = 0x165667B19E3779F9;

    /// <summary>The hash of one row: <paramref name="task"/> (1-based), its class index and its feature values.</summary>
    public static ulong Of(int task, long label, ReadOnlySpan<float> features)
    {
        unchecked
        {
        var words = MemoryMarshal.Cast<float, ulong>(features);
        ulong a = Prime1 ^ (ulong)task, b = Prime2 ^ (ulong)label, c = (ulong)features.Length, d = Prime3;
        int i = 0;
        for (; i + 4 <= words.Length; i += 4)
        {
            a = Round(a, words[i]);
            b = Round(b, words[i + 1]);
            c = Round(c, words[i + 2]);
            d = Round(d, words[i + 3]);
        }
        for (; i < words.Length; i++)
            a = Round(a, words[i]);
        if (features.Length % 2 == 1)
            b = Round(b, BitConverter.SingleToUInt32Bits(features[^1]));
        return Finish(a ^ BitOperations.RotateLeft(b, 16) ^ BitOperations.RotateLeft(c, 32) ^ BitOperations.RotateLeft(d, 48));
        }
    }

    private static ulong Round(ulong lane, ulong word) => unchecked(BitOperations.RotateLeft(lane + word * Prime2, 31) * Prime1);

    private static ulong Finish(ulong h)
    {
        unchecked
        {
            h ^= h >> 33;
            h *= 0xFF51AFD7ED558CCD;
            h ^= h >> 33;
            h *= 0xC4CEB9FE1A85EC53;
            return h ^ (h >> 33);
        }
    }
}
