using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>State-dict key order as PyTorch writes it: own parameters, own buffers, then children, recursively.</summary>
public static class StateDictOrder
{
    /// <summary>
    /// Writes the entries of <paramref name="flat"/> (TorchSharp's state_dict of <paramref name="module"/>,
    /// which lists every buffer after all parameters) into <paramref name="destination"/> in PyTorch order.
    /// </summary>
    public static Dictionary<string, Tensor> Apply(nn.Module module, Dictionary<string, Tensor> flat,
        Dictionary<string, Tensor>? destination, string? prefix)
    {
        destination ??= new Dictionary<string, Tensor>();
        foreach (var key in Ordered(module))
            if (flat.TryGetValue(key, out var t)) destination.TryAdd((prefix ?? "") + key, t);
        return destination;
    }

    public static IEnumerable<string> Ordered(nn.Module module, string prefix = "")
    {
        foreach (var (name, _) in module.named_parameters(recurse: false)) yield return prefix + name;
        foreach (var (name, _) in module.named_buffers(recurse: false)) yield return prefix + name;
        foreach (var (name, child) in module.named_children())
            foreach (var key in Ordered(child, prefix + name + ".")) yield return key;
    }
}
