namespace Microsoft.ML.Dvn;

/// <summary>The kind of backbone of a <see cref="DvnArchitecture"/>.</summary>
public enum DvnArchitectureKind
{
    /// <summary>A multi-layer perceptron.</summary>
    Mlp,

    /// <summary>A convolutional network.</summary>
    Cnn,
}
