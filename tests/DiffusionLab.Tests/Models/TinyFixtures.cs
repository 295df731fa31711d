using System.Text.Json;
using DiffusionLab.Modules;

namespace DiffusionLab.Tests.Models;

/// <summary>Configs and key lists of the official tiny models in Fixtures/fixtures-tiny.json.</summary>
internal static class TinyFixtures
{
    private static readonly Lazy<JsonElement> Json = new(() =>
        JsonDocument.Parse(File.ReadAllText(FixtureFiles.PathOf("fixtures-tiny.json"))).RootElement.GetProperty("models"));

    public static DenoiserConfig Config(string model)
    {
        var c = Json.Value.GetProperty(model).GetProperty("config");
        var basis = new DenoiserConfig
        {
            InputSize = c.GetProperty("input_size").GetInt32(),
            PatchSize = c.GetProperty("patch_size").GetInt32(),
            InChannels = c.GetProperty("in_channels").GetInt32(),
            HiddenSize = c.GetProperty("hidden_size").GetInt32(),
            NumHeads = c.GetProperty("num_heads").GetInt32(),
            NumClasses = c.GetProperty("num_classes").GetInt32(),
            LearnSigma = c.GetProperty("learn_sigma").GetBoolean(),
            Depth = c.GetProperty("depth").GetInt32(),
        };
        return model switch
        {
            "dit" => basis with
            {
                Architecture = Architecture.DiT, PositionEmbedding = PositionEmbeddingKind.FixedSinCos,
                RelativePositionBias = false, DecoderPositionEmbedding = false, DecodeLayer = 0, MaskRatio = 0, MaskRatioMax = 0,
            },
            "mdtv1" => basis with
            {
                Architecture = Architecture.Mdt, DecodeLayer = c.GetProperty("decode_layer").GetInt32(),
                MaskRatio = c.GetProperty("mask_ratio").GetDouble(), MaskRatioMax = c.GetProperty("mask_ratio").GetDouble(),
            },
            _ => basis with
            {
                Architecture = Architecture.MdtV2, DecodeLayer = c.GetProperty("decode_layer").GetInt32(),
                MaskRatio = c.GetProperty("mask_ratio").GetDouble(), MaskRatioMax = c.GetProperty("mask_ratio").GetDouble() + 0.2,
            },
        };
    }

    public static List<(string Key, long[] Shape)> Keys(string model) =>
        Json.Value.GetProperty(model).GetProperty("keys").EnumerateArray()
            .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(s => s.GetInt64()).ToArray())).ToList();

    public static long Params(string model) => Json.Value.GetProperty(model).GetProperty("params").GetInt64();

    public static double MaskRatioDrawn(string model) => Json.Value.GetProperty(model).GetProperty("mask_ratio_drawn").GetDouble();
}
