using DiffusionLab.IO;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Models;

/// <summary>Strict loading errors name the source and the offending key; files round-trip.</summary>
public class StateDictLoaderTests
{
    private static Denoiser Dit() => DenoiserFactory.Create(TinyFixtures.Config("dit"));

    private static Dictionary<string, Tensor> Weights() => FixtureFiles.Load("dit-tiny.weights.safetensors");

    [Fact]
    public void MissingKeyIsNamed()
    {
        var weights = Weights();
        weights.Remove("blocks.1.mlp.fc2.bias");
        using var net = Dit();
        var e = Assert.Throws<InvalidDataException>(() => StateDictLoader.LoadStrict(net, weights, "ckpt-A.safetensors"));
        Assert.Contains("ckpt-A.safetensors", e.Message);
        Assert.Contains("missing", e.Message);
        Assert.Contains("blocks.1.mlp.fc2.bias", e.Message);
    }

    [Fact]
    public void UnexpectedKeyIsNamed()
    {
        var weights = Weights();
        weights["decoder_pos_embed"] = zeros(1, 16, 64);
        using var net = Dit();
        var e = Assert.Throws<InvalidDataException>(() => StateDictLoader.LoadStrict(net, weights, "ckpt-B"));
        Assert.Contains("ckpt-B", e.Message);
        Assert.Contains("unexpected", e.Message);
        Assert.Contains("decoder_pos_embed", e.Message);
    }

    [Fact]
    public void WrongShapeIsNamedWithBothShapes()
    {
        var weights = Weights();
        weights["y_embedder.embedding_table.weight"] = zeros(1001, 64);
        using var net = Dit();
        var before = net.state_dict()["pos_embed"].clone();
        var e = Assert.Throws<InvalidDataException>(() => StateDictLoader.LoadStrict(net, weights, "ckpt-C"));
        Assert.Contains("ckpt-C", e.Message);
        Assert.Contains("y_embedder.embedding_table.weight: expected [11, 64], got [1001, 64]", e.Message);
        Assert.True(net.state_dict()["pos_embed"].equal(before).all().item<bool>()); // nothing copied
    }

    [Fact]
    public void AnotherModelsCheckpointIsAClearError()
    {
        using var net = Dit();
        var e = Assert.Throws<InvalidDataException>(() => StateDictLoader.LoadFile(net, FixtureFiles.PathOf("mdtv2-tiny.weights.safetensors")));
        Assert.Contains("mdtv2-tiny.weights.safetensors", e.Message);
        Assert.Contains("unexpected keys", e.Message);
        Assert.Contains("en_inblocks.0", e.Message);
    }

    [Fact]
    public void SafetensorsAndPyTorchFilesRoundTrip()
    {
        var dir = Directory.CreateTempSubdirectory("statedict");
        try
        {
            using var source = DenoiserFactory.Create(TinyFixtures.Config("mdtv1"));
            var st = Path.Combine(dir.FullName, "m.safetensors");
            var pt = Path.Combine(dir.FullName, "m.pt");
            StateDictLoader.SaveFile(source, st);
            source.save_py(pt);
            foreach (var path in new[] { st, pt })
            {
                using var target = DenoiserFactory.Create(TinyFixtures.Config("mdtv1"));
                StateDictLoader.LoadFile(target, path);
                var expected = source.state_dict();
                foreach (var (key, value) in target.state_dict())
                    Assert.True(value.equal(expected[key]).all().item<bool>(), $"{path}: {key}");
            }
        }
        finally { dir.Delete(recursive: true); }
    }
}
