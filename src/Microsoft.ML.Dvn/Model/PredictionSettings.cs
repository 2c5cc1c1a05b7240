namespace Microsoft.ML.Dvn.Model;

/// <summary>How a model predicts, saved with it.</summary>
/// <param name="BatchSize">Rows run together through the network by Transform.</param>
/// <param name="RequestedDevice">The device the user asked for; where the model runs is resolved when it is built or loaded.</param>
internal sealed record PredictionSettings(int BatchSize, DvnDevice RequestedDevice);
