using DiffusionLab.Core;
using DiffusionLab.Modules;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;
using static DiffusionLab.Tests.PhotoMaker.PhotoMakerFixtures;

namespace DiffusionLab.Tests.PhotoMaker;

/// <summary>LoRA through forward hooks: W x + (α/r)·B(A x), B = 0 at init, only adapters and the encoder learn, weights round-trip.</summary>
public class LoraTests
{
    private static (Tensor X, Tensor T, Tensor Ids) Inputs()
    {
        var x = randn([2, 3, 16, 16], generator: new Generator(5, CPU));
        var t = tensor(new long[] { 100, 700 });
        var ids = Tokenizer.EncodeBatch(["a photo of a man wearing a crown", "a sad girl in a blue shirt"], 16);
        return (x, t, ids);
    }

    [Fact]
    public void FreshAdaptersChangeNothingAndDetachingRestoresTheBackbone()
    {
        using var backbone = Backbone();
        var (x, t, ids) = Inputs();
        using var _ = no_grad();
        var before = backbone.forward(x, t, ids);
        var names = PhotoMakerModel.AttentionProjectionNames(backbone, includeSideInterpolator: false);
        Assert.Equal(4 * 5, names.Count);
        Assert.Contains("de_blocks.1.cross_attn.kv_linear", names);
        var lora = LoraAdapters.Attach(backbone, names, rank: 2, alpha: 2);
        Assert.True(Same(before, backbone.forward(x, t, ids)), "B = 0: the adapted network must compute exactly the base output");
        Assert.All(names, n => Assert.True(lora[n].B.eq(0).all().item<bool>()));
        Assert.False(lora[names[0]].A.eq(0).all().item<bool>());
        foreach (var (_, p) in lora.NamedParameters()) p.normal_(0, 0.1);
        Assert.False(before.allclose(backbone.forward(x, t, ids), rtol: 1e-4, atol: 1e-5), "non-zero B must change the output");
        lora.Dispose();
        Assert.True(Same(before, backbone.forward(x, t, ids)), "detached adapters leave nothing behind");

        Assert.Contains("'blocks.9.attn.qkv'", Assert.Throws<ArgumentException>(() => LoraAdapters.Attach(backbone, ["blocks.9.attn.qkv"], 2, 2)).Message);
        Assert.Contains("expected a Linear", Assert.Throws<ArgumentException>(() => LoraAdapters.Attach(backbone, ["de_blocks.0.attn"], 2, 2)).Message);
    }

    [Fact]
    public void AnAdaptedProjectionIsWPlusScaledBAOnEveryAttentionPath()
    {
        using var attn = new Attention(16, 2);
        using var lora = LoraAdapters.Attach(attn, ["qkv", "proj"], rank: 2, alpha: 4); // scale 2
        using var _ = no_grad();
        foreach (var (_, p) in lora.NamedParameters()) p.normal_(0, 0.3);
        var sd = attn.state_dict();
        var wqkv = sd["qkv.weight"] + 2.0 * lora["qkv"].B.matmul(lora["qkv"].A);
        var wproj = sd["proj.weight"] + 2.0 * lora["proj"].B.matmul(lora["proj"].A);
        Assert.True(lora["qkv"].DeltaWeight().allclose(2.0 * lora["qkv"].B.matmul(lora["qkv"].A)));
        var x = randn(2, 4, 16);
        var extra = randn(2, 3, 16);
        var q = nn.functional.linear(x, wqkv, sd["qkv.bias"]).view(2, 4, 3, 2, 8).permute(2, 0, 3, 1, 4)[0];
        var kv = nn.functional.linear(cat([x, extra], 1), wqkv, sd["qkv.bias"]).view(2, 7, 3, 2, 8).permute(2, 0, 3, 1, 4);
        var o = (q.matmul(kv[1].transpose(-2, -1)) * Math.Pow(8, -0.5)).softmax(-1).matmul(kv[2]);
        var manual = nn.functional.linear(o.transpose(1, 2).reshape(2, 4, 16), wproj, sd["proj.bias"]);
        Assert.True(attn.Attend(x, extra, null).allclose(manual, rtol: 1e-4, atol: 1e-5), "the extra keys/values of consistent attention must see the adapter too");
    }

    private static void Backward(PhotoMakerModel model)
    {
        var (x, t, _) = Inputs();
        using var batch = ClassTokenBatch.Encode(Tokenizer, [("a photo of a man img wearing a crown", 2), ("a sad girl img", 1)], 16);
        using var r0 = new ReferenceStack(Images(2, 1));
        using var r1 = new ReferenceStack(Images(1, 2));
        var text = model.Condition(batch, [r0, r1]);
        model.Forward(x, t, text).square().mean().backward();
    }

    [Fact]
    public void WithLoraOnlyTheAdaptersAndTheEncoderGetGradients()
    {
        using var model = Model();
        Backward(model);
        Assert.All(model.Backbone.named_parameters(), p => Assert.True(!p.parameter.requires_grad && p.parameter.grad is null, $"backbone parameter {p.name} got a gradient"));
        var adapters = model.AdapterParameters().ToList();
        Assert.Equal(2 * 20, adapters.Count);
        Assert.All(adapters, p => Assert.True(p.Name.StartsWith("lora.") && p.Parameter.grad is not null, p.Name));
        Assert.Contains(adapters, p => p.Name.EndsWith("lora_B.weight") && p.Parameter.grad!.abs().sum().item<float>() > 0);
        var encoder = model.EncoderParameters().ToList();
        Assert.All(encoder, p => Assert.True(p.Name.StartsWith("id_encoder.") && p.Parameter.grad is not null, p.Name));
        Assert.True(encoder.Single(p => p.Name == "id_encoder.visual_projection.weight").Parameter.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void TheCrossAttentionSwitchUnfreezesTheCrossAttentionOnly()
    {
        using var model = Model(Config with { Adaptation = BackboneAdaptation.CrossAttention });
        Assert.Null(model.Lora);
        Backward(model);
        foreach (var (name, p) in model.Backbone.named_parameters())
        {
            bool cross = name.Contains(".cross_attn.") && !name.StartsWith("sideblocks."); // the side-interpolator only with the masked branch
            Assert.Equal(cross, p.requires_grad);
            Assert.True(cross == (p.grad is not null), name);
        }
        Assert.All(model.AdapterParameters(), p => Assert.StartsWith("backbone.", p.Name));
        Assert.Equal(4 * 6, model.AdapterParameters().Count()); // q, kv, proj weight + bias per block
    }

    [Fact]
    public void ACheckpointOfThePhotoMakerFormatBeforeTheOneTrainerStillLoads()
    {
        using var trained = Model();
        var weights = trained.TrainedWeights();
        string path = Path.Combine(Path.GetTempPath(), "difflab-tests", $"pm-legacy-{Guid.NewGuid():N}.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // The layout PhotoMakerTrainer wrote until the one trainer: "weights." and "ema.", a flat config, the base in the metadata.
        string flatConfig = System.Text.Json.JsonSerializer.Serialize(Config, TrainConfigLoader.JsonOptions);
        DiffusionLab.IO.SafetensorsFile.Save(path, weights.Select(p => KeyValuePair.Create("weights." + p.Key, p.Value)).Concat(weights.Select(p => KeyValuePair.Create("ema." + p.Key, p.Value))),
            new Dictionary<string, string> { ["format"] = "diffusionlab-photomaker-1", ["base_checkpoint"] = "/runs/base/step.safetensors", ["base_step"] = "7", ["config"] = flatConfig, ["step"] = "5" });
        Assert.True(PhotoMakerCheckpoint.IsPhotoMakerCheckpoint(path));
        var loaded = PhotoMakerCheckpoint.Load(path);
        Assert.True(loaded.IsLegacy);
        Assert.Equal(("/runs/base/step.safetensors", 7L, 5L), (loaded.BaseCheckpoint, loaded.BaseStep, loaded.Step!.Value));
        Assert.Equal(weights.Keys.Order(), loaded.Weights.Keys.Order());
        Assert.NotNull(loaded.Ema);
        Assert.Equal(Config, loaded.Config(path) with { Betas = Config.Betas });
    }

    [Fact]
    public void TrainedWeightsSaveAndLoadSeparatelyFromTheBackbone()
    {
        using var trained = Model();
        using (no_grad()) foreach (var (_, p) in trained.TrainedWeights()) p.add_(randn_like(p) * 0.05);
        var weights = trained.TrainedWeights();
        Assert.All(weights.Keys, k => Assert.True(k.StartsWith("id_encoder.") || k.StartsWith("lora."), k));
        string path = Path.Combine(Path.GetTempPath(), "difflab-tests", $"pm-{Guid.NewGuid():N}.safetensors");
        using var generator = new Generator(0);
        new TrainingCheckpoint(3, 3, 0, weights, [], [], generator.get_state(), "{}", Config.ToJson(), TrainingStage.PhotoMaker,
            new Dictionary<string, string> { [StageBase.CheckpointKey] = "/runs/base/checkpoints/step-0000001.safetensors", [StageBase.StepKey] = "1" }).Save(path);

        var loaded = PhotoMakerCheckpoint.Load(path);
        Assert.Equal("/runs/base/checkpoints/step-0000001.safetensors", loaded.BaseCheckpoint);
        Assert.Equal(3, loaded.Step);
        Assert.Null(loaded.Ema);
        Assert.Equal(Config, loaded.Config(path) with { Betas = Config.Betas });
        using var fresh = Model(seed: 0);
        using (no_grad()) fresh.LoadTrainedWeights(loaded.Weights, path);
        foreach (var (k, v) in weights) Assert.True(Same(v, fresh.TrainedWeights()[k]), k);
        var (x, t, _) = Inputs();
        using var batch = ClassTokenBatch.Encode(Tokenizer, [("a photo of a man img", 2), ("a photo of a woman img", 2)], 16);
        using var refs = new ReferenceStack(Images(2, 3));
        using var _ = no_grad();
        Assert.True(Same(trained.Forward(x, t, trained.Condition(batch, [refs, refs])), fresh.Forward(x, t, fresh.Condition(batch, [refs, refs]))));

        using var cross = Model(Config with { Adaptation = BackboneAdaptation.CrossAttention });
        Assert.Contains("do not fit", Assert.Throws<InvalidDataException>(() => cross.LoadTrainedWeights(loaded.Weights, path)).Message);
        var lora = fresh.Lora!.StateDict();
        Assert.Contains("unexpected keys", Assert.Throws<InvalidDataException>(() => fresh.Lora.LoadStateDict(lora.Append(KeyValuePair.Create("x.lora_A.weight", lora.First().Value)).ToDictionary(), "test")).Message);
    }
}
