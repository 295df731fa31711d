using DiffusionLab.Data;
using DiffusionLab.Diffusion;
using DiffusionLab.Imaging;
using DiffusionLab.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation;

/// <summary>
/// Where a class-conditional MNIST denoiser fails, by noise level: held-out test digits are noised to x_t at fixed
/// t (one fixed noise draw per image), and the network's one-step estimate x̂_0 = (x_t − √(1−ᾱ)·ε̂)/√ᾱ (clamped to
/// [−1, 1]) is judged at each t: its error to the clean digit, whether the MNIST judge reads the true class in it,
/// and its <em>class sensitivity</em>: how much x̂_0 moves when only the label changes (every other class asked for
/// with the same x_t), and how often the judge then reads the class that was asked for. A model that denoises locally
/// but has not learned class structure has a small error at low t, and at high t a class-blind x̂_0: a sensitivity near
/// zero and a follow rate at chance (1/9 of the other labels). Sampling needs exactly what it lacks there.
/// </summary>
public static class DenoisingProbe
{
    /// <summary>The probe's noise levels, as in ../shared/notes/denoising-probe.md (t on the base 1000-step process).</summary>
    public static IReadOnlyList<int> DefaultTimesteps { get; } = [50, 200, 400, 600, 800, 950];

    /// <summary>
    /// Runs the probe on <paramref name="perClass"/> test digits of each class (the first ones of the test split, so
    /// every call sees the same digits and, from <paramref name="seed"/>, the same noise).
    /// </summary>
    public static DenoisingProbeResult Run(Denoiser model, double[] betas, MnistEvaluator judge, Device device,
        IReadOnlyList<int>? timesteps = null, int perClass = 10, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(betas);
        ArgumentNullException.ThrowIfNull(judge);
        timesteps ??= DefaultTimesteps;
        var c = model.Config;
        if (c.IsTextConditioned || c.NumClasses != Mnist10k.NumClasses || c.InChannels != 1 || c.InputSize != Mnist10k.ImageSize)
            throw new ArgumentException($"the denoising probe judges class-conditional 1×{Mnist10k.ImageSize}×{Mnist10k.ImageSize} MNIST models with {Mnist10k.NumClasses} classes; this model is {(c.IsTextConditioned ? "text-conditioned" : $"{c.InChannels}×{c.InputSize}×{c.InputSize} with {c.NumClasses} classes")}");
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "expected at least one digit per class");
        foreach (int t in timesteps)
            if (t < 0 || t >= betas.Length) throw new ArgumentOutOfRangeException(nameof(timesteps), t, $"probe timestep {t}: expected 0 ≤ t < {betas.Length}");

        var diffusion = new GaussianDiffusion(betas, c.LearnSigma);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var (clean, labels) = Digits(perClass);                                             // (M, 1, 32, 32), (M)
            long m = clean.shape[0], k = Mnist10k.NumClasses;
            var generator = new Generator((ulong)seed);
            var rows = new List<DenoisingProbeRow>();
            var figureRows = new List<Tensor> { clean };
            foreach (int step in timesteps)
            {
                using var stepScope = NewDisposeScope();
                var noise = randn(clean.shape, generator: generator);                           // (M, 1, 32, 32)
                var t = full([m], (long)step, ScalarType.Int64);
                var xt = diffusion.QSample(clean, t, noise);                                    // (M, 1, 32, 32)
                // Every class for every x_t in one pass: row (i, j) is image i asked to be class j.
                var xtAll = xt.repeat_interleave(k, 0).to(device);                              // (M·K, 1, 32, 32)
                var tAll = full([m * k], (long)step, ScalarType.Int64, device);
                var asked = arange(k, dtype: ScalarType.Int64).repeat(m);                        // (M·K)
                var eps = model.forward(xtAll, tAll, asked.to(device)).narrow(1, 0, 1).cpu();    // (M·K, 1, 32, 32)
                var x0 = diffusion.PredictXStartFromEps(xtAll.cpu(), tAll.cpu(), eps).clamp(-1, 1).view(m, k, 1, 32, 32);
                var trueIndex = labels.view(m, 1, 1, 1, 1).expand(m, 1, 1, 32, 32);
                var x0True = x0.gather(1, trueIndex).squeeze(1);                               // (M, 1, 32, 32)
                var epsTrue = eps.view(m, k, 1, 32, 32).gather(1, trueIndex).squeeze(1);       // (M, 1, 32, 32)
                // Mean squared change of x̂_0 over the K − 1 other labels.
                var change = (x0 - x0True.unsqueeze(1)).square().mean([2L, 3L, 4L]);            // (M, K)
                var others = 1 - nn.functional.one_hot(labels, k).to(ScalarType.Float32);          // (M, K) 1 for other labels
                double sensitivity = (change * others).sum().item<float>() / (m * (k - 1));
                var read = judge.Classifier.Classify(judge.Classifier.Features(x0.view(m * k, 1, 32, 32).to(JudgeDevice(judge)))).argmax(1).cpu().view(m, k);
                var followed = read.eq(arange(k, dtype: ScalarType.Int64).view(1, k)).to(ScalarType.Float32); // (M, K)
                double trueRead = followed.gather(1, labels.view(m, 1)).mean().item<float>();
                double otherFollow = (followed * others).sum().item<float>() / (m * (k - 1));
                rows.Add(new DenoisingProbeRow(step,
                    EpsMse: (epsTrue - noise).square().mean().item<float>(),
                    X0Mse: (x0True - clean).square().mean().item<float>(),
                    X0TrueClassRead: trueRead,
                    ClassSensitivity: sensitivity,
                    OtherLabelFollowRate: otherFollow));
                // The figure: x_t, x̂_0 under the true label, x̂_0 under the next class (label + 1 mod 10).
                var nextIndex = ((labels + 1) % k).view(m, 1, 1, 1, 1).expand(m, 1, 1, 32, 32);
                figureRows.Add(xt.clamp(-1, 1).MoveToOuterDisposeScope());
                figureRows.Add(x0True.MoveToOuterDisposeScope());
                figureRows.Add(x0.gather(1, nextIndex).squeeze(1).MoveToOuterDisposeScope());
            }
            // One column per probe digit of the first of each class's digits: the figure shows 10 columns.
            var firstOfEachClass = arange(k, dtype: ScalarType.Int64) * perClass;
            var figure = cat(figureRows.Select(r => r.index_select(0, firstOfEachClass)).ToArray(), 0).MoveToOuterDisposeScope();
            return new DenoisingProbeResult(rows, figure, (int)k);
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }

    /// <summary>The first <paramref name="perClass"/> test digits of each class, class-major (0,0,…,1,1,…).</summary>
    private static (Tensor Images, Tensor Labels) Digits(int perClass)
    {
        using var test = Mnist10k.Load(MnistSplit.Test);
        if (perClass > Mnist10k.TestPerClass) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, $"the test split has {Mnist10k.TestPerClass} digits per class");
        var index = new List<long>();
        var labels = test.Labels.data<long>().ToArray();
        for (int cls = 0; cls < Mnist10k.NumClasses; cls++)
            index.AddRange(Enumerable.Range(0, labels.Length).Where(i => labels[i] == cls).Take(perClass).Select(i => (long)i));
        var ids = tensor(index.ToArray());
        return (test.Images.index_select(0, ids), test.Labels.index_select(0, ids));
    }

    private static Device JudgeDevice(MnistEvaluator judge) => judge.Classifier.parameters().First().device;
}

/// <summary>One noise level of the <see cref="DenoisingProbe"/>.</summary>
/// <param name="Timestep">t on the base process.</param>
/// <param name="EpsMse">Mean squared error of ε̂ (true label) to the noise drawn.</param>
/// <param name="X0Mse">Mean squared error of x̂_0 (true label, clamped) to the clean digit, in [−1, 1] pixel units.</param>
/// <param name="X0TrueClassRead">Share of x̂_0 (true label) that the MNIST judge reads as the true class.</param>
/// <param name="ClassSensitivity">Mean squared change of x̂_0 when the label is swapped for each other class.</param>
/// <param name="OtherLabelFollowRate">Share of x̂_0 under another label that the judge reads as that label (0 when the label is ignored, 1 when it is obeyed).</param>
public sealed record DenoisingProbeRow(int Timestep, double EpsMse, double X0Mse, double X0TrueClassRead, double ClassSensitivity, double OtherLabelFollowRate);

/// <summary>The probe's rows and its figure: (rows·10, 1, 32, 32) tiles, ten columns (one digit per class).</summary>
public sealed class DenoisingProbeResult(IReadOnlyList<DenoisingProbeRow> rows, Tensor figure, int columns) : IDisposable
{
    public IReadOnlyList<DenoisingProbeRow> Rows { get; } = rows;

    /// <summary>Row 1 the clean digits; then per t: x_t, x̂_0 under the true label, x̂_0 under the next class.</summary>
    public Tensor Figure { get; } = figure;

    public int Columns { get; } = columns;

    /// <summary>The rows as metric keys (probe_x0_mse_t600, …), for a run's metrics log.</summary>
    public IReadOnlyDictionary<string, double> Metrics() => Rows
        .SelectMany(r => new[]
        {
            ($"probe_eps_mse_t{r.Timestep}", r.EpsMse), ($"probe_x0_mse_t{r.Timestep}", r.X0Mse),
            ($"probe_x0_true_read_t{r.Timestep}", r.X0TrueClassRead), ($"probe_class_sensitivity_t{r.Timestep}", r.ClassSensitivity),
            ($"probe_label_follow_t{r.Timestep}", r.OtherLabelFollowRate),
        })
        .ToDictionary(p => p.Item1, p => p.Item2);

    /// <summary>The figure as a PNG, each tile enlarged <paramref name="scale"/>×.</summary>
    public void SaveFigure(string path, int scale = 2) => ImageGrid.Save(Figure, Columns, path, padding: 2, scale: scale);

    public void Dispose() => Figure.Dispose();
}
