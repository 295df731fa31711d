using DiffusionLab.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>Seeded initialisation and strict loading shared by the CharacterWorld judges.</summary>
internal static class JudgeInit
{
    /// <summary>PyTorch's default for a linear layer (uniform ±1/√fan_in), drawn from <paramref name="generator"/>.</summary>
    public static void Linear(Linear layer, Generator generator)
    {
        using var _ = torch.no_grad();
        double bound = 1.0 / Math.Sqrt(layer.weight!.shape[1]);
        layer.weight.uniform_(-bound, bound, generator);
        layer.bias?.uniform_(-bound, bound, generator);
    }

    public static void LoadStrict(nn.Module module, Dictionary<string, Tensor> state, string source)
    {
        try { StateDictLoader.LoadStrict(module, state, source); }
        finally { foreach (var t in state.Values) t.Dispose(); }
    }

    /// <summary>Reads weights embedded in the library under <paramref name="resource"/>.</summary>
    public static Dictionary<string, Tensor> ReadResource(string resource)
    {
        using var stream = typeof(JudgeInit).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource '{resource}' is missing from the DiffusionLab assembly");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return SafetensorsFile.Load(bytes.ToArray(), $"resource {resource}", out _);
    }
}
