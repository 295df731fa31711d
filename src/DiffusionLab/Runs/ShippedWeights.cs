using System.Globalization;
using DiffusionLab.Core;
using DiffusionLab.IO;
using static TorchSharp.torch;

namespace DiffusionLab.Runs;

/// <summary>
/// The model.safetensors of a shipped model (<see cref="ShippedModel"/>): one set of weights (EMA or raw) in bf16 under
/// the model's own state-dict keys, no optimizer or generator state, and in the metadata the stage, the training step,
/// the resolved config (which rebuilds the model, as a training checkpoint's does) and, for a stage trained on a base
/// model (PhotoMaker, motion), the base's zoo name and step. bf16 halves the repository's bytes; loading copies into the fp32
/// model (<see cref="StateDictLoader.LoadStrict"/> converts dtypes).
/// </summary>
public sealed record ShippedWeights(
    TrainingStage Stage,
    ShippedModelKind Kind,
    long Step,
    bool IsEma,
    string ConfigJson,
    Dictionary<string, Tensor> Weights,
    string? Base = null,
    long? BaseStep = null)
{
    /// <summary>The metadata "format" of a shipped model's weights.</summary>
    public const string Format = "diffusionlab-model-1";

    /// <summary>Writes the weights as bf16 and integer buffers in the narrowest of int16/their own type that holds them, atomically.</summary>
    public void Save(string path)
    {
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["stage"] = Stage.ToString(),
            ["kind"] = KindName(Kind),
            ["step"] = Step.ToString(CultureInfo.InvariantCulture),
            ["weights"] = IsEma ? "ema" : "raw",
            ["config"] = ConfigJson,
        };
        if (Base is not null) meta["base"] = Base;
        if (BaseStep is { } baseStep) meta["base_step"] = baseStep.ToString(CultureInfo.InvariantCulture);
        using var scope = NewDisposeScope();
        var tensors = Weights.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, p.Value.is_floating_point() ? p.Value.detach().cpu().to(ScalarType.BFloat16) : Narrowed(p.Value.detach().cpu())))
            .ToList();
        SafetensorsFile.Save(path, tensors, meta);
    }

    // The relative-position index of MDT's attention is an int64 (T, T) buffer per block: at 256 tokens 3.6 MB of a
    // 64-px Tiny model's 10.3, all of it below 4,000. Loading copies it back into the model's int64 buffer.
    private static Tensor Narrowed(Tensor t)
    {
        if (t.dtype is not (ScalarType.Int64 or ScalarType.Int32) || t.numel() == 0) return t;
        using var lo = t.min().to(ScalarType.Int64);
        using var hi = t.max().to(ScalarType.Int64);
        bool fits = lo.item<long>() >= short.MinValue && hi.item<long>() <= short.MaxValue;
        return fits ? t.to(ScalarType.Int16) : t;
    }

    /// <summary>Reads the weights (bf16 as stored); a missing, truncated or foreign file is a ConfigException naming the path.</summary>
    public static ShippedWeights Load(string path)
    {
        var meta = Metadata(path);
        var weights = SafetensorsFile.Load(path);
        return FromMetadata(meta, weights, path);
    }

    /// <summary>The metadata alone (reads the header only), checked to be a shipped model's.</summary>
    public static ShippedWeights Header(string path) => FromMetadata(Metadata(path), [], path);

    /// <summary>Whether <paramref name="path"/> is a shipped model's weights file (reads the header only; false for any other file).</summary>
    public static bool IsShippedWeights(string path)
    {
        try { return File.Exists(path) && SafetensorsFile.ReadMetadata(path).GetValueOrDefault("format") == Format; }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { return false; }
    }

    public static string KindName(ShippedModelKind kind) => kind switch
    {
        ShippedModelKind.ClassConditional => "class-conditional",
        ShippedModelKind.TextToImage => "text-to-image",
        ShippedModelKind.Transition => "transition",
        _ => "photomaker",
    };

    /// <summary>
    /// A shipped stage trained on a base model (PhotoMaker, motion): its weights, with the stage and the base's zoo name
    /// and step checked; a model of another stage, or one without its base, is a ConfigException naming the path.
    /// </summary>
    public static ShippedWeights LoadStage(string path, TrainingStage stage, string what)
    {
        var shipped = Load(path);
        if (shipped.Stage == stage && shipped.Base is not null && shipped.BaseStep is not null) return shipped;
        foreach (var t in shipped.Weights.Values) t.Dispose();
        throw new ConfigException(shipped.Stage != stage
            ? $"shipped model '{path}' is a {KindName(shipped.Kind)} model, not a {what} one"
            : $"shipped {what} model '{path}': metadata 'base' or 'base_step' missing");
    }

    private static Dictionary<string, string> Metadata(string path)
    {
        Dictionary<string, string> meta;
        try { meta = SafetensorsFile.ReadMetadata(path); }
        catch (InvalidDataException e) { throw new ConfigException($"shipped model '{path}': {e.Message.Replace(path + ": ", "")}"); }
        catch (FileNotFoundException) { throw new ConfigException($"shipped model '{path}': file not found"); }
        if (meta.GetValueOrDefault("format") != Format)
            throw new ConfigException($"shipped model '{path}': not a shipped model's weights (expected metadata format={Format}; export one with difflab models export)");
        return meta;
    }

    private static ShippedWeights FromMetadata(Dictionary<string, string> meta, Dictionary<string, Tensor> weights, string path)
    {
        string Need(string key) => meta.TryGetValue(key, out var v) ? v
            : throw new ConfigException($"shipped model '{path}': metadata '{key}' missing");
        if (!Enum.TryParse<TrainingStage>(Need("stage"), out var stage))
            throw new ConfigException($"shipped model '{path}': unknown stage '{meta["stage"]}'");
        var kind = Enum.GetValues<ShippedModelKind>().FirstOrDefault(k => KindName(k) == Need("kind"), (ShippedModelKind)(-1));
        if (!Enum.IsDefined(kind)) throw new ConfigException($"shipped model '{path}': unknown kind '{meta["kind"]}'");
        long? baseStep = meta.TryGetValue("base_step", out var b) ? long.Parse(b, CultureInfo.InvariantCulture) : null;
        return new ShippedWeights(stage, kind, long.Parse(Need("step"), CultureInfo.InvariantCulture), Need("weights") == "ema", Need("config"), weights,
            meta.GetValueOrDefault("base"), baseStep);
    }
}
