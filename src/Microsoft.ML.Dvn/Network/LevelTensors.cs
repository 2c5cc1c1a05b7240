using static TorchSharp.torch;

namespace Microsoft.ML.Dvn.Network;

/// <summary>
/// The stored tensors one (task, level) reads, in the order of its forward pass: every convolution's 3x3 kernels
/// (then batch norm, ReLU, 2x2 max-pooling), every fully connected layer's weights (then batch norm, ReLU), and
/// the head. Views into the network: valid while it lives, not copies.
/// </summary>
/// <param name="Architecture">The network's backbone (image shape of a CNN).</param>
/// <param name="Convolutions">[active outputs, active inputs, 3, 3] each, no bias.</param>
/// <param name="FullyConnected">[active outputs, active inputs] each, no bias.</param>
/// <param name="Norms">One a hidden layer, convolutions first.</param>
/// <param name="Head">From the last hidden layer's active features to the task's classes.</param>
internal sealed record LevelTensors(
    DvnArchitecture Architecture, Tensor[] Convolutions, Tensor[] FullyConnected, LevelNorm[] Norms, LevelHead Head);
