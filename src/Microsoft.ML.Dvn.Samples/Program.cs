using TorchSharp;
using var x = torch.ones(3);
Console.WriteLine(x.sum().item<float>());
