using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using DiffusionLab.Core;
using DiffusionLab.Modules;
using DiffusionLab.Sampling;

namespace DiffusionLab.Runs;

/// <summary>
/// Reads a <see cref="TrainConfig"/> from JSON with <c>--set Section.Key=Value</c> overrides. Unknown
/// keys, wrong types and out-of-range values are errors naming the file and the key.
/// The "Model" section is a preset ("Preset": "MDTv2-S/2") plus any DenoiserConfig key to override.
/// </summary>
public static partial class TrainConfigLoader
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // Closed config choices (dataset, sampler, ...) as the words files use; then every other enum by its member name.
        Converters = { new ConfigChoiceJsonConverter(), new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Explicit, so configs also load in hosts that disable reflection-based JSON by default (file-based apps).
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    public static TrainConfig Load(string path, IEnumerable<string>? overrides = null)
    {
        if (!File.Exists(path)) throw new ConfigException($"config '{path}': file not found");
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new ConfigException($"config '{path}': not valid JSON ({FirstLine(e.Message)})"); }
        if (root is not JsonObject obj) throw new ConfigException($"config '{path}': expected a JSON object at the top level");
        return FromJson(obj, path, overrides);
    }

    public static TrainConfig FromJson(JsonObject json, string source, IEnumerable<string>? overrides = null)
    {
        json = (JsonObject)json.DeepClone();
        foreach (var o in overrides ?? []) ConfigOverrides.Apply(json, o, TargetType);

        var modelNode = json["Model"];
        json.Remove("Model");
        var (model, preset) = ResolveModel(modelNode, source);

        TrainConfig config;
        try { config = json.Deserialize<TrainConfig>(JsonOptions) ?? new TrainConfig(); }
        catch (JsonException e) { throw new ConfigException($"config '{source}': {Describe(e)}"); }
        config = config with { Model = model, ModelPreset = preset };

        // A text preset leaves the vocabulary open: it is the data's tokenizer's.
        if (config.Model.IsTextConditioned && config.Model.TextVocabSize == 0 && DatasetLoader.IsCaptioned(config.Data)
            && (config.Data.Dataset != DatasetKind.Captions || !string.IsNullOrEmpty(config.Data.Folder)))
            config = config with { Model = config.Model with { TextVocabSize = DatasetLoader.Tokenizer(config.Data).VocabSize } };

        Validate(config, source);
        return config;
    }

    /// <summary>
    /// Every value of <paramref name="config"/> in range (finite numbers, positive sizes, probabilities in [0, 1], ...),
    /// or a ConfigException naming <paramref name="source"/> and the first bad key. A config built in code
    /// (<c>config with { ... }</c>) is checked again by the trainer before it creates a run folder.
    /// </summary>
    public static void Validate(TrainConfig config, string source)
    {
        var problems = Problems(config);
        if (problems.Count > 0) throw new ConfigException($"config '{source}': {problems[0]}");
    }

    /// <summary>The config as JSON that <see cref="FromJson"/> reads back to an equal config.</summary>
    public static JsonObject ToJson(TrainConfig config)
    {
        var json = JsonSerializer.SerializeToNode(config with { Model = new DenoiserConfig() }, JsonOptions)!.AsObject();
        var model = JsonSerializer.SerializeToNode(config.Model, JsonOptions)!.AsObject();
        var withPreset = new JsonObject { ["Preset"] = config.ModelPreset };
        foreach (var (k, v) in model) withPreset[k] = v?.DeepClone();
        json["Model"] = withPreset;
        json.Remove(nameof(TrainConfig.ModelPreset));
        return json;
    }

    /// <summary>Applies a preset and JSON overrides to a model config (used by `model info --set` and `bench`).</summary>
    public static DenoiserConfig ResolveModel(string preset, IEnumerable<string> overrides, string source)
    {
        var node = new JsonObject { ["Preset"] = preset };
        var root = new JsonObject { ["Model"] = node };
        foreach (var o in overrides) ConfigOverrides.Apply(root, o.StartsWith("Model.", StringComparison.Ordinal) ? o : "Model." + o, TargetType);
        var (config, _) = ResolveModel(root["Model"], source);
        // Without data, a text preset takes the vocabulary of the library's own captions (CharacterWorld).
        if (config.IsTextConditioned && config.TextVocabSize == 0)
            config = config with { TextVocabSize = DatasetLoader.Tokenizer(new DataSection { Dataset = DatasetKind.CharacterWorld }).VocabSize };
        var problems = config.Problems();
        if (problems.Count > 0) throw new ConfigException($"{source}: Model.{problems[0]}");
        return config;
    }

    private static (DenoiserConfig Config, string Preset) ResolveModel(JsonNode? modelNode, string source)
    {
        if (modelNode is not JsonObject model)
            throw new ConfigException($"config '{source}': key 'Model': expected an object with \"Preset\" (one of {string.Join(", ", DenoiserPresets.Names)}) and optional overrides");
        string preset = model["Preset"] is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : throw new ConfigException($"config '{source}': key 'Model.Preset': expected a preset name such as \"MDTv2-S/2\"");
        if (!DenoiserPresets.TryGet(preset, out var basis))
            throw new ConfigException($"config '{source}': key 'Model.Preset': unknown preset '{preset}'; expected one of {string.Join(", ", DenoiserPresets.Names)}");
        var merged = JsonSerializer.SerializeToNode(basis, JsonOptions)!.AsObject();
        foreach (var (key, value) in model)
        {
            if (key == "Preset") continue;
            if (!merged.ContainsKey(key))
                throw new ConfigException($"config '{source}': unknown key 'Model.{key}'; expected Preset or one of {string.Join(", ", merged.Select(p => p.Key))}");
            merged[key] = value?.DeepClone();
        }
        try { return (merged.Deserialize<DenoiserConfig>(JsonOptions)!, preset); }
        catch (JsonException e) { throw new ConfigException($"config '{source}': {Describe(e, "Model.")}"); }
    }

    /// <summary>The declared type of the config property at <paramref name="path"/>, or null if there is none.</summary>
    private static Type? TargetType(string[] path)
    {
        Type? type = typeof(TrainConfig);
        foreach (var name in path)
        {
            if (type == typeof(TrainConfig) && name == "Model") { type = typeof(DenoiserConfig); continue; }
            type = type?.GetProperty(name)?.PropertyType;
        }
        return type;
    }

    private static string Describe(JsonException e, string prefix = "")
    {
        string key = prefix + (e.Path ?? "$").TrimStart('$').TrimStart('.');
        if (e.InnerException is ConfigException choice) return $"key '{key}': {choice.Message}"; // a closed choice's bad word
        var unmapped = UnmappedProperty().Match(e.Message);
        if (unmapped.Success)
        {
            string name = unmapped.Groups[1].Value;
            // Depending on where the reader stopped, the path may or may not already end with the name.
            string full = key == name || key.EndsWith("." + name, StringComparison.Ordinal) ? key : key.Length > 0 ? $"{key}.{name}" : name;
            return $"unknown key '{full}'";
        }
        var convert = ConvertTo().Match(e.Message);
        string expected = convert.Success ? convert.Groups[1].Value.Replace("System.", "") : "another type";
        return $"key '{key}': wrong type, expected {expected}";
    }

    private static IReadOnlyList<string> Problems(TrainConfig c)
    {
        // First: a NaN passes every range check below (each comparison with it is false).
        var p = new List<string>(FiniteNumbers.Problems(c));
        if (p.Count > 0) return p;
        string dataset = ConfigChoice.Name(c.Data.Dataset);
        if (DatasetLoader.IsCaptioned(c.Data) != c.Model.IsTextConditioned)
            p.Add(c.Model.IsTextConditioned
                ? $"key 'Data.Dataset': '{dataset}' has class labels but Model.Conditioning is Text; expected \"characterworld\" or \"captions\""
                : $"key 'Data.Dataset': '{dataset}' has captions but Model.Conditioning is ClassLabel; use a text preset such as MDTv2-T2I-Tiny/4");
        if (c.Data.Dataset is DatasetKind.Folder or DatasetKind.Captions && string.IsNullOrEmpty(c.Data.Folder)) p.Add($"key 'Data.Folder': expected the image-folder path for Dataset \"{dataset}\"");
        if (c.Data.Dataset == DatasetKind.CharacterWorld)
        {
            if (c.Data.WorldIdentities < 1) p.Add($"key 'Data.WorldIdentities': {c.Data.WorldIdentities}, expected a positive integer");
            if (c.Data.WorldHeldOutIdentities < 1) p.Add($"key 'Data.WorldHeldOutIdentities': {c.Data.WorldHeldOutIdentities}, expected a positive integer (sample prompts come from held-out people)");
            if (c.Data.ImagesPerIdentity < 1) p.Add($"key 'Data.ImagesPerIdentity': {c.Data.ImagesPerIdentity}, expected a positive integer");
        }
        // After the data checks: a text preset on class-labelled data is a data mistake, not a vocabulary one.
        p.AddRange(c.Model.Problems().Select(x => "Model." + x));
        if (c.Diffusion.Schedule is not ("linear" or "cosine")) p.Add($"key 'Diffusion.Schedule': '{c.Diffusion.Schedule}', expected \"linear\" or \"cosine\"");
        if (c.Diffusion.Timesteps < 2) p.Add($"key 'Diffusion.Timesteps': {c.Diffusion.Timesteps}, expected at least 2");
        if (c.Diffusion.MinSnrGamma is <= 0) p.Add($"key 'Diffusion.MinSnrGamma': {c.Diffusion.MinSnrGamma}, expected a positive number or null");
        if (c.Optimizer.LearningRate <= 0) p.Add($"key 'Optimizer.LearningRate': {c.Optimizer.LearningRate}, expected a positive number");
        int nBetas = c.Optimizer.Name == OptimizerKind.Adan ? 3 : 2;
        if (c.Optimizer.Betas is { } b && (b.Length != nBetas || b.Any(x => x is < 0 or >= 1)))
            p.Add($"key 'Optimizer.Betas': expected {nBetas} values in [0, 1) for {ConfigChoice.Name(c.Optimizer.Name)}");
        if (c.Optimizer.Eps <= 0) p.Add($"key 'Optimizer.Eps': {c.Optimizer.Eps}, expected a positive number");
        if (c.Optimizer.WeightDecay < 0) p.Add($"key 'Optimizer.WeightDecay': {c.Optimizer.WeightDecay}, expected a non-negative number");
        if (c.Optimizer.GradClip is <= 0) p.Add($"key 'Optimizer.GradClip': {c.Optimizer.GradClip}, expected a positive number or null");
        if (c.Training.Steps <= 0) p.Add($"key 'Training.Steps': {c.Training.Steps}, expected a positive integer");
        if (c.Training.BatchSize <= 0) p.Add($"key 'Training.BatchSize': {c.Training.BatchSize}, expected a positive integer");
        if (c.Training.EmaDecay is < 0 or >= 1) p.Add($"key 'Training.EmaDecay': {c.Training.EmaDecay}, expected a value in [0, 1)");
        foreach (var (name, v) in new[] { ("LogEvery", c.Training.LogEvery), ("SampleEvery", c.Training.SampleEvery), ("CheckpointEvery", c.Training.CheckpointEvery) })
            if (v <= 0) p.Add($"key 'Training.{name}': {v}, expected a positive integer");
        if (c.Training.EvaluateEvery < 0) p.Add($"key 'Training.EvaluateEvery': {c.Training.EvaluateEvery}, expected 0 (end only) or a positive integer");
        if (c.Training.EvaluateAt?.Where(s => s < 1).Select(s => (int?)s).FirstOrDefault() is int bad)
            p.Add($"key 'Training.EvaluateAt': {bad}, expected steps of at least 1");
        if (c.Sampling.Eta < 0) p.Add($"key 'Sampling.Eta': {c.Sampling.Eta}, expected a non-negative number (0: deterministic DDIM, 1: DDPM-like)");
        if (c.Sampling.GuidancePower is <= 0) p.Add($"key 'Sampling.GuidancePower': {c.Sampling.GuidancePower}, expected a positive number or null");
        if (c.Sampling.GuidanceScale < 0) p.Add($"key 'Sampling.GuidanceScale': {c.Sampling.GuidanceScale}, expected a non-negative number");
        if (c.Sampling.GridSamples <= 0) p.Add($"key 'Sampling.GridSamples': {c.Sampling.GridSamples}, expected a positive integer");
        if (c.Evaluation.NumSamples <= 1) p.Add($"key 'Evaluation.NumSamples': {c.Evaluation.NumSamples}, expected at least 2");
        if (c.Evaluation.FinalNumSamples is <= 1) p.Add($"key 'Evaluation.FinalNumSamples': {c.Evaluation.FinalNumSamples}, expected at least 2 or null (NumSamples)");
        if (c.Evaluation.BatchSize <= 0) p.Add($"key 'Evaluation.BatchSize': {c.Evaluation.BatchSize}, expected a positive integer");
        if (c.Evaluation.ProbeDigitsPerClass is < 0 or > Data.Mnist10k.TestPerClass)
            p.Add($"key 'Evaluation.ProbeDigitsPerClass': {c.Evaluation.ProbeDigitsPerClass}, expected 0 (no probe) to {Data.Mnist10k.TestPerClass} (the test digits per class)");
        return p;
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"could not be converted to ([\w.\[\]`]+)")]
    private static partial Regex ConvertTo();
}
