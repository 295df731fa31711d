using DiffusionLab.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiffusionLab.Evaluation;

/// <summary>
/// A small CNN that judges 1×32×32 digits in [−1,1]: three conv-ReLU-maxpool stages (16, 32, 64
/// channels, 32→16→8→4), a 128-d feature layer and 10 logits. <see cref="Features"/> is the
/// penultimate layer, the embedding the Fréchet distance is computed in (our MNIST stand-in for
/// Inception's pool3 in FID).
/// </summary>
public sealed class MnistClassifier : Module<Tensor, Tensor>
{
    public const int FeatureSize = 128;
    public const int NumClasses = 10;

    private readonly Conv2d conv1, conv2, conv3;
    private readonly Linear fc1, fc2;

    public MnistClassifier() : base(nameof(MnistClassifier))
    {
        conv1 = nn.Conv2d(1, 16, 3, padding: 1);
        conv2 = nn.Conv2d(16, 32, 3, padding: 1);
        conv3 = nn.Conv2d(32, 64, 3, padding: 1);
        fc1 = nn.Linear(64 * 4 * 4, FeatureSize);
        fc2 = nn.Linear(FeatureSize, NumClasses);
        RegisterComponents();
    }

    /// <summary>
    /// Re-initialises every parameter from <paramref name="generator"/> with PyTorch's default
    /// (uniform ±1/√fan_in), so training depends on the seed alone and not on libtorch's global RNG.
    /// </summary>
    public void ResetParameters(Generator generator)
    {
        using var _ = torch.no_grad();
        foreach (var layer in new Module[] { conv1, conv2, conv3, fc1, fc2 })
        {
            var weight = layer.get_parameter("weight")!;
            double bound = 1.0 / Math.Sqrt(weight[0].numel());
            weight.uniform_(-bound, bound, generator);
            layer.get_parameter("bias")!.uniform_(-bound, bound, generator);
        }
    }

    /// <summary>Writes the weights as safetensors (names conv1.weight … fc2.bias).</summary>
    public void SaveWeights(string path) => SafetensorsFile.Save(path, state_dict());

    /// <summary>Reads weights written by <see cref="SaveWeights"/>; names and shapes must match exactly.</summary>
    public void LoadWeights(string path) => LoadWeights(SafetensorsFile.Load(path), path);

    /// <summary>Copies a state dict in, strictly (every name, every shape); <paramref name="source"/> names it in errors.</summary>
    public void LoadWeights(Dictionary<string, Tensor> state, string source)
    {
        try { StateDictLoader.LoadStrict(this, state, source); }
        finally { foreach (var t in state.Values) t.Dispose(); }
    }

    /// <summary>(N,1,32,32) → (N,128) penultimate features.</summary>
    public Tensor Features(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        x = functional.max_pool2d(functional.relu(conv1.forward(x)), 2); // (N,16,16,16)
        x = functional.max_pool2d(functional.relu(conv2.forward(x)), 2); // (N,32,8,8)
        x = functional.max_pool2d(functional.relu(conv3.forward(x)), 2); // (N,64,4,4)
        x = functional.relu(fc1.forward(x.flatten(1)));                  // (N,128)
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>(N,128) features → (N,10) logits.</summary>
    public Tensor Classify(Tensor features) => fc2.forward(features);

    /// <summary>(N,1,32,32) → (N,10) logits.</summary>
    public override Tensor forward(Tensor x)
    {
        using var features = Features(x);
        return Classify(features);
    }
}
