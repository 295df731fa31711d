using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DiffusionLab.IO;

/// <summary>
/// Strict state-dict loading by official key names (as PyTorch's <c>load_state_dict(strict=True)</c>),
/// from dictionaries, safetensors files or PyTorch <c>torch.save</c> files; saving to safetensors.
/// </summary>
public static class StateDictLoader
{
    private const int MaxListed = 8;

    /// <summary>
    /// Copies every tensor of <paramref name="stateDict"/> into <paramref name="module"/> in place
    /// (converting dtype and device). Nothing is copied unless the key sets and all shapes agree;
    /// otherwise one exception names <paramref name="source"/> and the first problems.
    /// </summary>
    public static void LoadStrict(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        var own = module.state_dict();
        var problems = new List<string>();
        var missing = own.Keys.Where(k => !stateDict.ContainsKey(k)).ToList();
        var unexpected = stateDict.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (missing.Count > 0) problems.Add($"missing keys ({missing.Count}): {List(missing)}");
        if (unexpected.Count > 0) problems.Add($"unexpected keys ({unexpected.Count}): {List(unexpected)}");
        var shapes = own.Where(kv => stateDict.TryGetValue(kv.Key, out var t) && !t.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"{kv.Key}: expected {Shape(kv.Value.shape)}, got {Shape(stateDict[kv.Key].shape)}").ToList();
        if (shapes.Count > 0) problems.Add($"shape mismatches ({shapes.Count}): {List(shapes)}");
        if (problems.Count > 0)
            throw new InvalidDataException($"{source}: state dict does not fit {module.GetName()}: {string.Join("; ", problems)}");
        using var _ = no_grad();
        foreach (var (key, target) in own) target.copy_(stateDict[key]);
    }

    /// <summary>
    /// Loads a .safetensors file, or a PyTorch .pt/.pth/.bin <c>torch.save</c> file holding a state
    /// dict or a DiT train.py checkpoint dict (its "ema" entry, else "model").
    /// </summary>
    public static void LoadFile(nn.Module module, string path)
    {
        var stateDict = ReadFile(path);
        try { LoadStrict(module, stateDict, path); }
        finally { foreach (var t in stateDict.Values) t.Dispose(); }
    }

    /// <summary>Reads the tensors of a state-dict file (safetensors or PyTorch zip pickle) onto the CPU.</summary>
    public static Dictionary<string, Tensor> ReadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such checkpoint file", path);
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return SafetensorsFile.Load(path);
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (Exception e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a safetensors file nor a readable torch.save state dict ({e.Message})", e);
        }
        // DiT train.py checkpoints are {"model", "ema", "opt", "args"}; sampling uses the EMA weights.
        foreach (var entry in new[] { "ema", "model", "state_dict" })
            if (table[entry] is Hashtable inner) { table = inner; break; }
        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry e in table)
            if (e.Key is string key && e.Value is Tensor t) result[key] = t;
        if (result.Count == 0) throw new InvalidDataException($"{path}: holds no tensors at the top level nor under 'ema'/'model'");
        return result;
    }

    /// <summary>Writes the module's state dict (parameters and persistent buffers) to a safetensors file, atomically.</summary>
    public static void SaveFile(nn.Module module, string path) => SafetensorsFile.Save(path, module.state_dict());

    private static string List(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(MaxListed)) + (items.Count > MaxListed ? $", … (+{items.Count - MaxListed} more)" : "");

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
