using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// <see cref="LoraAdapter"/>s attached to named Linear layers of any module through forward hooks: the
/// layer's output becomes W x + b + (α/r)·B(A x) wherever the layer runs through <c>call</c>. The target
/// module's code, parameters and state dict are untouched (its weights stay loadable from a plain
/// checkpoint and can be frozen), and the adapters save and load on their own, keyed
/// "{layer name}.lora_A.weight" / ".lora_B.weight". Dispose detaches them.
/// </summary>
public sealed class LoraAdapters : IDisposable
{
    private readonly Dictionary<string, LoraAdapter> _adapters = new(StringComparer.Ordinal);
    private readonly List<Action> _detach = [];
    private bool _disposed;

    private LoraAdapters(int rank, double alpha)
    {
        Rank = rank;
        Alpha = alpha;
    }

    public int Rank { get; }
    public double Alpha { get; }

    /// <summary>The adapted layers' names in the target module, in attach order.</summary>
    public IReadOnlyList<string> Targets => [.. _adapters.Keys];

    public LoraAdapter this[string layerName] => _adapters[layerName];

    /// <summary>
    /// Attaches a fresh adapter (B = 0, so outputs are unchanged) to each Linear of <paramref name="module"/>
    /// named in <paramref name="layerNames"/> (names as in named_modules, e.g. "de_blocks.0.attn.qkv"); an
    /// unknown name or a module that is not a Linear is an ArgumentException naming it. A is drawn from
    /// <paramref name="generator"/> in the order of <paramref name="layerNames"/>.
    /// </summary>
    public static LoraAdapters Attach(nn.Module module, IEnumerable<string> layerNames, int rank, double alpha, Generator? generator = null)
    {
        var modules = module.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        var adapters = new LoraAdapters(rank, alpha);
        try
        {
            foreach (var name in layerNames)
            {
                if (!modules.TryGetValue(name, out var found))
                    throw new ArgumentException($"LoRA target '{name}': no such submodule in {module.GetName()}");
                if (found is not Linear linear)
                    throw new ArgumentException($"LoRA target '{name}': a {found.GetType().Name}, expected a Linear");
                if (adapters._adapters.ContainsKey(name)) throw new ArgumentException($"LoRA target '{name}': named twice");
                var weight = linear.weight!;
                var adapter = new LoraAdapter((int)weight.shape[1], (int)weight.shape[0], rank, alpha, weight.device, generator);
                adapters._adapters[name] = adapter;
                var hook = linear.register_forward_hook((_, input, output) => output + adapter.forward(input).to(output.dtype));
                adapters._detach.Add(hook.remove);
            }
        }
        catch
        {
            adapters.Dispose();
            throw;
        }
        return adapters;
    }

    /// <summary>The names of every Linear of <paramref name="module"/> that <paramref name="select"/> accepts, in module order.</summary>
    public static IReadOnlyList<string> LinearNames(nn.Module module, Func<string, bool> select) =>
        [.. module.named_modules().Where(m => m.module is Linear && select(m.name)).Select(m => m.name)];

    /// <summary>Every A and B, named "{layer}.lora_A.weight" / "{layer}.lora_B.weight".</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        foreach (var (layer, adapter) in _adapters)
        {
            yield return ($"{layer}.lora_A.weight", adapter.A);
            yield return ($"{layer}.lora_B.weight", adapter.B);
        }
    }

    public Dictionary<string, Tensor> StateDict() => NamedParameters().ToDictionary(p => p.Name, p => (Tensor)p.Parameter);

    /// <summary>Copies every A and B from <paramref name="state"/>; missing, unexpected or misshapen keys are one InvalidDataException naming <paramref name="source"/>.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        var own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var shapes = own.Where(p => state.TryGetValue(p.Key, out var t) && !t.shape.SequenceEqual(p.Value.shape))
            .Select(p => $"{p.Key}: expected [{string.Join(", ", p.Value.shape)}], got [{string.Join(", ", state[p.Key].shape)}]").ToList();
        var problems = new List<string>();
        if (missing.Count > 0) problems.Add($"missing keys ({missing.Count}): {string.Join(", ", missing.Take(4))}");
        if (unexpected.Count > 0) problems.Add($"unexpected keys ({unexpected.Count}): {string.Join(", ", unexpected.Take(4))}");
        if (shapes.Count > 0) problems.Add($"shape mismatches ({shapes.Count}): {string.Join(", ", shapes.Take(4))}");
        if (problems.Count > 0) throw new InvalidDataException($"{source}: LoRA weights do not fit (rank {Rank}, {_adapters.Count} layers): {string.Join("; ", problems)}");
        using var _ = no_grad();
        foreach (var (key, target) in own) target.copy_(state[key]);
    }

    public void Train(bool on = true)
    {
        foreach (var adapter in _adapters.Values) adapter.train(on);
    }

    /// <summary>Removes the hooks (the target module computes W x + b again) and frees the adapters.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var detach in _detach) detach();
        foreach (var adapter in _adapters.Values) adapter.Dispose();
    }
}
