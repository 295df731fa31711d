using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>State-dict key order as PyTorch writes it: own parameters, own buffers, then children, recursively.</summary>
public static class StateDictOrder
{
    public static IEnumerable<string> Ordered(nn.Module module, string prefix = "")
    {
        foreach (var (name, _) in module.named_parameters(recurse: false)) yield return prefix + name;
        foreach (var (name, _) in module.named_buffers(recurse: false)) yield return prefix + name;
        foreach (var (name, child) in module.named_children())
            foreach (var key in Ordered(child, prefix + name + ".")) yield return key;
    }
}
