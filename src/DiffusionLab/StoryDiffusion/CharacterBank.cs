using System.Globalization;
using DiffusionLab.IO;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// One character's reference bank (storydiffusion.md §2.4, the low-VRAM app's id_bank): for every consistent
/// block and denoising step, the tokens sampled from each reference image's self-attention input while the
/// references were generated together ("write"), as (halves, k, C) with the classifier-free-guidance halves
/// [cond; uncond] kept apart. Later panels read it at the same step ("read"): hidden states, not K/V, so each
/// block recomputes K/V with its own projections. Its size depends on the references, never on how many panels
/// read it. Saved and loaded as a safetensors "character file".
/// </summary>
public sealed class CharacterBank : IDisposable
{
    private readonly Dictionary<(string Block, long Step), SortedDictionary<int, Tensor>> _entries = [];

    public CharacterBank(string character)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(character);
        Character = character;
    }

    public string Character { get; }

    /// <summary>Classifier-free-guidance halves of the stored tokens (2 with guidance, 1 without); 0 while empty.</summary>
    public long Halves { get; private set; }

    public int Count => _entries.Values.Sum(e => e.Count);

    /// <summary>Bytes held by the stored tokens.</summary>
    public long Bytes => _entries.Values.SelectMany(e => e.Values).Sum(t => t.numel() * t.element_size());

    /// <summary>Stores reference image <paramref name="image"/>'s sampled tokens (halves, k, C) for a block and step (a copy, owned by the bank).</summary>
    public void Write(string block, long step, int image, Tensor tokens)
    {
        if (tokens.dim() != 3) throw new ArgumentException($"bank '{Character}': expected tokens (halves, k, C), got [{string.Join(", ", tokens.shape)}]");
        if (Halves != 0 && tokens.shape[0] != Halves)
            throw new ArgumentException($"bank '{Character}': tokens with {tokens.shape[0]} guidance halves, but the bank holds {Halves} (write and read with the same guidance setting)");
        Halves = tokens.shape[0];
        var images = _entries.TryGetValue((block, step), out var e) ? e : _entries[(block, step)] = new SortedDictionary<int, Tensor>();
        if (images.Remove(image, out var old)) old.Dispose();
        images[image] = tokens.detach().clone().DetachFromDisposeScope();
    }

    /// <summary>Every reference image's tokens of a block and step, in image order; empty when the bank has none there.</summary>
    public IReadOnlyList<Tensor> Read(string block, long step) =>
        _entries.TryGetValue((block, step), out var e) ? e.Values.ToList() : [];

    /// <summary>The other reference images' tokens (all but <paramref name="image"/>) of a block and step.</summary>
    public IReadOnlyList<Tensor> ReadOthers(string block, long step, int image) =>
        _entries.TryGetValue((block, step), out var e) ? e.Where(p => p.Key != image).Select(p => p.Value).ToList() : [];

    public void Save(string path)
    {
        var tensors = _entries.SelectMany(e => e.Value.Select(i => new KeyValuePair<string, Tensor>(Key(e.Key.Block, e.Key.Step, i.Key), i.Value.cpu())));
        SafetensorsFile.Save(path, tensors, new Dictionary<string, string> { ["format"] = "difflab-character-bank", ["character"] = Character });
    }

    public static CharacterBank Load(string path, Device? device = null)
    {
        var tensors = SafetensorsFile.Load(path, out var metadata);
        if (!metadata.TryGetValue("format", out var format) || format != "difflab-character-bank" || !metadata.TryGetValue("character", out var name))
            throw new InvalidDataException($"character file '{path}': not a character bank (expected safetensors metadata format=difflab-character-bank)");
        var bank = new CharacterBank(name);
        foreach (var (key, tensor) in tensors)
        {
            var parts = key.Split('|');
            if (parts.Length != 3 || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out long step) || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out int image))
                throw new InvalidDataException($"character file '{path}': tensor '{key}' is not named block|step|image");
            bank.Write(parts[0], step, image, device is null ? tensor : tensor.to(device));
            tensor.Dispose();
        }
        return bank;
    }

    private static string Key(string block, long step, int image) => string.Create(CultureInfo.InvariantCulture, $"{block}|{step}|{image}");

    public void Dispose()
    {
        foreach (var t in _entries.Values.SelectMany(e => e.Values)) t.Dispose();
        _entries.Clear();
    }
}
