using DiffusionLab.Modules;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Models;

/// <summary>MDTv2-S/2 (decode_layer 6) key names and shapes exactly as in mdt.md §12.</summary>
public class StateDictKeyTests
{
    [Fact]
    public void MdtV2SmallHasTheDocumentedKeysAndShapes()
    {
        var config = DenoiserPresets.Get("MDTv2-S/2") with { DecodeLayer = 6 };
        using var net = DenoiserFactory.Create(config, new Device(DeviceType.META));
        var actual = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);

        var expected = new Dictionary<string, long[]>
        {
            ["pos_embed"] = [1, 256, 384], ["decoder_pos_embed"] = [1, 256, 384], ["mask_token"] = [1, 1, 384],
            ["x_embedder.proj.weight"] = [384, 4, 2, 2], ["x_embedder.proj.bias"] = [384],
            ["t_embedder.mlp.0.weight"] = [384, 256], ["t_embedder.mlp.0.bias"] = [384],
            ["t_embedder.mlp.2.weight"] = [384, 384], ["t_embedder.mlp.2.bias"] = [384],
            ["y_embedder.embedding_table.weight"] = [1001, 384],
            ["final_layer.linear.weight"] = [32, 384], ["final_layer.linear.bias"] = [32],
            ["final_layer.adaLN_modulation.1.weight"] = [768, 384], ["final_layer.adaLN_modulation.1.bias"] = [768],
        };
        var blocks = Enumerable.Range(0, 3).Select(i => ($"en_inblocks.{i}", false))
            .Concat(Enumerable.Range(0, 3).Select(i => ($"en_outblocks.{i}", true)))
            .Concat(Enumerable.Range(0, 6).Select(i => ($"de_blocks.{i}", true)))
            .Append(("sideblocks.0", false));
        foreach (var (prefix, skip) in blocks)
        {
            expected[$"{prefix}.attn.qkv.weight"] = [1152, 384];
            expected[$"{prefix}.attn.qkv.bias"] = [1152];
            expected[$"{prefix}.attn.proj.weight"] = [384, 384];
            expected[$"{prefix}.attn.proj.bias"] = [384];
            expected[$"{prefix}.attn.rel_pos_bias.relative_position_bias_table"] = [964, 6];
            expected[$"{prefix}.attn.rel_pos_bias.relative_position_index"] = [256, 256];
            expected[$"{prefix}.mlp.fc1.weight"] = [1536, 384];
            expected[$"{prefix}.mlp.fc1.bias"] = [1536];
            expected[$"{prefix}.mlp.fc2.weight"] = [384, 1536];
            expected[$"{prefix}.mlp.fc2.bias"] = [384];
            expected[$"{prefix}.adaLN_modulation.1.weight"] = [2304, 384];
            expected[$"{prefix}.adaLN_modulation.1.bias"] = [2304];
            if (skip)
            {
                expected[$"{prefix}.skip_linear.weight"] = [384, 768];
                expected[$"{prefix}.skip_linear.bias"] = [384];
            }
        }

        Assert.Equal(188, expected.Count);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, shape) in expected) Assert.True(shape.SequenceEqual(actual[key]), $"{key}: expected [{string.Join(", ", shape)}], got [{string.Join(", ", actual[key])}]");
        Assert.Equal(ScalarType.Int64, net.state_dict()["de_blocks.5.attn.rel_pos_bias.relative_position_index"].dtype);
    }
}
