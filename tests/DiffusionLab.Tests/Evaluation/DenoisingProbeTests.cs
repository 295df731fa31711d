using DiffusionLab.Diffusion;
using DiffusionLab.Evaluation;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Evaluation;

public class DenoisingProbeTests
{
    private static readonly double[] Betas = BetaSchedule.Linear(1000);

    /// <summary>DiT-Tiny/4 with every weight drawn at random: adaLN-Zero's zero init would make ε̂ = 0 for any label.</summary>
    private static Denoiser RandomDiT(string preset = "DiT-Tiny/4", IEnumerable<string>? overrides = null)
    {
        torch.manual_seed(7);
        var model = DenoiserFactory.Create(TrainConfigLoader.ResolveModel(preset, overrides ?? [], "test model"));
        using var noGrad = no_grad();
        foreach (var (name, p) in model.named_parameters())
            if (!name.Contains("pos_embed")) p.normal_(0, 0.05);
        return model;
    }

    [Fact]
    public void Rows_follow_the_timesteps_and_the_figure_has_a_clean_row_and_three_rows_per_timestep()
    {
        using var model = RandomDiT();
        using var judge = MnistEvaluator.LoadDefault();
        using var result = DenoisingProbe.Run(model, Betas, judge, CPU, [100, 900], perClass: 2);
        Assert.Equal([100, 900], result.Rows.Select(r => r.Timestep));
        Assert.Equal([(1 + 3 * 2) * 10L, 1, 32, 32], result.Figure.shape);
        foreach (var r in result.Rows)
        {
            Assert.True(double.IsFinite(r.EpsMse) && r.EpsMse > 0);
            Assert.InRange(r.X0Mse, 1e-9, 4.0);
            Assert.InRange(r.X0TrueClassRead, 0, 1);
            Assert.InRange(r.OtherLabelFollowRate, 0, 1);
            Assert.True(r.ClassSensitivity > 0, $"t={r.Timestep}: a network with random label embeddings moves x̂_0 with the label");
        }
        Assert.Equal(2 * 5, result.Metrics().Count);
        Assert.Contains("probe_label_follow_t900", result.Metrics().Keys);
    }

    [Fact]
    public void A_network_that_ignores_the_label_has_zero_class_sensitivity()
    {
        using var model = RandomDiT();
        using (var noGrad = no_grad())
        {
            // Every class (and the null class) the same embedding: the label cannot change anything.
            var table = model.named_parameters().Single(p => p.name == "y_embedder.embedding_table.weight").parameter;
            table.copy_(table[0].unsqueeze(0).expand_as(table));
        }
        using var judge = MnistEvaluator.LoadDefault();
        using var result = DenoisingProbe.Run(model, Betas, judge, CPU, [600], perClass: 2);
        Assert.Equal(0.0, result.Rows[0].ClassSensitivity, 12);
    }

    [Fact]
    public void The_same_call_gives_the_same_numbers()
    {
        using var model = RandomDiT();
        using var judge = MnistEvaluator.LoadDefault();
        using var a = DenoisingProbe.Run(model, Betas, judge, CPU, [400], perClass: 1, seed: 3);
        using var b = DenoisingProbe.Run(model, Betas, judge, CPU, [400], perClass: 1, seed: 3);
        Assert.Equal(a.Rows, b.Rows);
    }

    [Fact]
    public void A_model_that_is_not_a_ten_class_mnist_model_is_refused_with_what_it_is()
    {
        using var model = RandomDiT("DiT-Tiny/4", ["NumClasses=5"]);
        using var judge = MnistEvaluator.LoadDefault();
        var e = Assert.Throws<ArgumentException>(() => DenoisingProbe.Run(model, Betas, judge, CPU, perClass: 1));
        Assert.Contains("5 classes", e.Message);
    }
}
