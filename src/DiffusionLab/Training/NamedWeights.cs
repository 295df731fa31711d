using DiffusionLab.Core;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>The checkpoint weights of a stage that trains only some named parameters (an adapter, an encoder's image path).</summary>
public static class NamedWeights
{
    public static IReadOnlyDictionary<string, Tensor> Of(IEnumerable<(string Name, Parameter Parameter)> parameters) =>
        parameters.ToDictionary(p => p.Name, p => (Tensor)p.Parameter);

    /// <summary>Copies each parameter's saved value in; a missing or mis-shaped one is an error naming <paramref name="source"/>.</summary>
    public static void Load(IEnumerable<(string Name, Parameter Parameter)> parameters, IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        using var _ = no_grad();
        foreach (var (name, p) in parameters)
        {
            if (!weights.TryGetValue(name, out var saved) || !saved.shape.SequenceEqual(p.shape))
                throw new ConfigException($"checkpoint '{source}': trained weight '{name}' missing or of another shape");
            p.copy_(saved);
        }
    }
}
