using Microsoft.ML.Dvn.Network;

namespace Microsoft.ML.Dvn.Model;

/// <summary>What the model says about one level of one task: its number as users see it, its size and its units.</summary>
/// <param name="Level">The level, 1-based, as reported in the Level column.</param>
/// <param name="ParameterCount">Every stored number its prediction reads.</param>
/// <param name="Units">Its units, 1-based, ascending.</param>
/// <param name="ActivationValues">The activation values a one-row prediction creates (<see cref="ActivationMemory"/>);
/// computed from the network, never stored in the model file.</param>
internal sealed record LevelDescriptor(int Level, long ParameterCount, int[] Units, long ActivationValues)
{
    /// <summary>Bytes one row's prediction needs: its parameters and its activations, 4 bytes each.</summary>
    public long MemoryBytes => checked((ParameterCount + ActivationValues) * ActivationMemory.BytesPerValue);

    /// <summary>Bytes of its activations alone.</summary>
    public long ActivationBytes => checked(ActivationValues * ActivationMemory.BytesPerValue);
}
