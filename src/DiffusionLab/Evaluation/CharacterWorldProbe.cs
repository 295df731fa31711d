using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.Evaluation.World;
using DiffusionLab.Imaging;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation;

/// <summary>
/// Where a CharacterWorld text-to-image denoiser fails, by noise level: the <see cref="DenoisingProbe"/>'s question
/// asked of people. Renders of held-out people (never trained on) are noised to x_t at fixed t, one noise draw per
/// image, and the network's one-step x̂_0 under the render's own caption (no guidance) is judged as samples are:
/// valid faces (2 eyes, 1 nose, 1 mouth), prompt accuracy per factor, and its error to the clean render. The clean
/// renders are the row t = 0, the judges' ceiling. A model that has learned the face's few pixels keeps valid faces at
/// low t and loses them only where the layout is decided (high t); one that has not loses them already at low t,
/// where x_t still shows the face, so more sampling steps or guidance cannot give them back.
/// </summary>
public static class CharacterWorldProbe
{
    /// <summary>
    /// Runs the probe on the first <paramref name="images"/> held-out images (held-out person i mod P, their image
    /// ⌊i / P⌋), the same images and, from <paramref name="seed"/>, the same noise in every call.
    /// </summary>
    public static CharacterWorldProbeResult Run(Denoiser model, TrainConfig config, CharacterWorldEvaluator judges, Device device,
        IReadOnlyList<int>? timesteps = null, int images = 200, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(judges);
        timesteps ??= DenoisingProbe.DefaultTimesteps;
        if (config.Data.Dataset != DatasetKind.CharacterWorld || !model.Config.IsTextConditioned)
            throw new ArgumentException("the CharacterWorld probe judges text-to-image CharacterWorld models; this one is " +
                                        (model.Config.IsTextConditioned ? $"trained on {config.Data.Dataset}" : "class-conditional"));
        if (images < 1) throw new ArgumentOutOfRangeException(nameof(images), images, "expected at least one image");
        foreach (int t in timesteps)
            if (t < 0 || t >= config.Diffusion.Timesteps) throw new ArgumentOutOfRangeException(nameof(timesteps), t, $"probe timestep {t}: expected 0 ≤ t < {config.Diffusion.Timesteps}");

        using var world = new CharacterWorld(DatasetLoader.WorldConfig(config.Data, config.Model.InputSize));
        var tokenizer = DatasetLoader.Tokenizer(config.Data);
        var prompts = Enumerable.Range(0, images).Select(i => HeldOutCaption.At(world, i)).ToList();
        var renders = prompts.Select(p => world.Render(p.Identity, p.Image)).ToList();
        var captions = prompts.Select(p => p.Caption).ToList();
        var intended = prompts.Select(p => p.Intended).ToList();

        var diffusion = new GaussianDiffusion(BetaSchedule.Create(config.Diffusion.Schedule, config.Diffusion.Timesteps), model.Config.LearnSigma);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var clean = CharacterImage.Stack(renders);                                               // (M, 3, S, S) in [−1, 1]
            var ids = tokenizer.EncodeBatch(captions, config.Model.TextMaxLength);                    // (M, L)
            long m = clean.shape[0], channels = clean.shape[1];
            var rows = new List<CharacterWorldProbeRow> { Judge(0, clean, clean, intended, judges) };
            var figureRows = new List<Tensor> { clean };
            var generator = new Generator((ulong)seed);
            foreach (int step in timesteps)
            {
                using var stepScope = NewDisposeScope();
                var noise = randn(clean.shape, generator: generator);                                // (M, 3, S, S)
                var t = full([m], (long)step, ScalarType.Int64);
                var xt = diffusion.QSample(clean, t, noise);                                         // (M, 3, S, S)
                var estimates = new List<Tensor>();
                int batch = Math.Max(1, config.Evaluation.BatchSize);
                for (long start = 0; start < m; start += batch)
                {
                    long count = Math.Min(batch, m - start);
                    var eps = model.forward(xt.narrow(0, start, count).to(device), t.narrow(0, start, count).to(device),
                        ids.narrow(0, start, count).to(device)).narrow(1, 0, channels).cpu();        // (B, 3, S, S)
                    estimates.Add(diffusion.PredictXStartFromEps(xt.narrow(0, start, count), t.narrow(0, start, count), eps).clamp(-1, 1));
                }
                var x0 = cat(estimates, 0);                                                          // (M, 3, S, S)
                rows.Add(Judge(step, x0, clean, intended, judges));
                figureRows.Add(xt.clamp(-1, 1).MoveToOuterDisposeScope());
                figureRows.Add(x0.MoveToOuterDisposeScope());
            }
            // The figure: the first eight people, a column each.
            var shown = arange(Math.Min(8, m), dtype: ScalarType.Int64);
            var figure = cat(figureRows.Select(r => r.index_select(0, shown)).ToArray(), 0).MoveToOuterDisposeScope();
            return new CharacterWorldProbeResult(rows, figure, (int)shown.shape[0]);
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }

    private static CharacterWorldProbeRow Judge(int step, Tensor x0, Tensor clean, IReadOnlyList<IntendedFactors> intended, CharacterWorldEvaluator judges)
    {
        var prompt = judges.PromptAccuracy(x0, intended);
        return new CharacterWorldProbeRow(step, (x0 - clean).square().mean().item<float>(), judges.StructureValidity(x0), prompt.Mean,
            prompt.PerFactor.ToDictionary(p => p.Key, p => p.Value));
    }
}

/// <summary>One noise level of the <see cref="CharacterWorldProbe"/> (t = 0: the clean renders).</summary>
/// <param name="Timestep">t on the base process.</param>
/// <param name="X0Mse">Mean squared error of x̂_0 (clamped) to the clean render, in [−1, 1] pixel units.</param>
/// <param name="ValidFaces">Share of x̂_0 with 2 eyes, 1 nose and 1 mouth.</param>
/// <param name="PromptAccuracy">Mean over factors of the share of x̂_0 where the factor judge sees the caption's value.</param>
/// <param name="PerFactor">That share per factor (class word, expression, headwear, clothing, background).</param>
public sealed record CharacterWorldProbeRow(int Timestep, double X0Mse, double ValidFaces, double PromptAccuracy, IReadOnlyDictionary<string, double> PerFactor);

/// <summary>The probe's rows and its figure: row 1 the clean renders, then per t x_t and x̂_0.</summary>
public sealed class CharacterWorldProbeResult(IReadOnlyList<CharacterWorldProbeRow> rows, Tensor figure, int columns) : IDisposable
{
    public IReadOnlyList<CharacterWorldProbeRow> Rows { get; } = rows;

    public Tensor Figure { get; } = figure;

    public int Columns { get; } = columns;

    /// <summary>The figure as a PNG, each tile enlarged <paramref name="scale"/>×.</summary>
    public void SaveFigure(string path, int scale = 3) => ImageGrid.Save(Figure, Columns, path, padding: 2, scale: scale);

    public void Dispose() => Figure.Dispose();
}
