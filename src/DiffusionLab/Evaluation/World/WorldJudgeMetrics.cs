using DiffusionLab.Data.World;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// Measures the CharacterWorld judges on renders of held-out identities (never trained on), as
/// the training command reports and `difflab evaluators check` re-measures. Everything here is
/// a pure function of the weights and the world: no randomness beyond fixed seeds.
/// </summary>
public static class WorldJudgeMetrics
{
    /// <summary>First image index of the identity validation set: far beyond any index training reaches.</summary>
    public const int ValidationImageStart = 1_000_000;

    /// <summary>Seeds which held-out faces <see cref="MeasureStructure"/> edits (not the training seed: every run is measured on the same faces).</summary>
    public const int StructureMeasureSeed = 20_251_130;

    /// <summary>The FD reference set: images 0..<paramref name="imagesPerIdentity"/>−1 of every held-out identity, normal faces.</summary>
    internal static RenderJob[] ReferenceJobs(CharacterWorld world, int imagesPerIdentity) =>
        JudgeImages.Grid(world.Identities(WorldSplit.HeldOut), 0, imagesPerIdentity);

    public static IdentityMetrics MeasureIdentity(IdentityEmbedder model, CharacterWorld world, int imagesPerIdentity, int parallelism = 2)
    {
        if (imagesPerIdentity < 2) throw new ArgumentOutOfRangeException(nameof(imagesPerIdentity), $"imagesPerIdentity {imagesPerIdentity}: expected >= 2 (a gallery image and a probe)");
        model.eval();
        var heldOut = world.Identities(WorldSplit.HeldOut);
        var validationIds = world.Identities(WorldSplit.Train).Take(heldOut.Count).ToArray();
        using var scope = torch.NewDisposeScope();
        var device = Device(model);

        var validation = Embed(model, world, JudgeImages.Grid(validationIds, ValidationImageStart, imagesPerIdentity), parallelism, device);
        var (validSame, validDifferent) = PairCosines(validation, imagesPerIdentity);
        var (threshold, validationAccuracy) = BestThreshold(validSame, validDifferent);

        var test = Embed(model, world, JudgeImages.Grid(heldOut, 0, imagesPerIdentity), parallelism, device); // (M,128)
        var (same, different) = PairCosines(test, imagesPerIdentity);
        double verification = BalancedAccuracy(same, different, threshold);

        // Gallery: image 0 of every identity; probes: its other images.
        var byIdentity = test.view(heldOut.Count, imagesPerIdentity, -1);                  // (I,K,128)
        var gallery = byIdentity[.., 0];                                                    // (I,128)
        var probes = byIdentity[.., 1..].reshape(-1, test.shape[1]);                        // (I·(K−1),128)
        var nearest = probes.matmul(gallery.t()).argmax(1);                                 // (I·(K−1))
        var truth = torch.arange(heldOut.Count, ScalarType.Int64).repeat_interleave(imagesPerIdentity - 1); // (I·(K−1))
        double rank1 = nearest.eq(truth).to(ScalarType.Float64).mean().item<double>();

        return new IdentityMetrics(heldOut.Count, imagesPerIdentity, verification, threshold, validationAccuracy, rank1, same.Average(), different.Average());
    }

    public static FactorMetrics MeasureFactors(FactorClassifier model, CharacterWorld world, int imagesPerIdentity, int parallelism = 2)
    {
        model.eval();
        using var scope = torch.NewDisposeScope();
        var jobs = JudgeImages.Grid(world.Identities(WorldSplit.HeldOut), 0, imagesPerIdentity);
        var images = JudgeImages.Render(world, jobs, parallelism);
        var logits = FactorClassifier.Split(JudgeImages.Batched(images, model.forward, Device(model)));
        var labels = FactorLabels.Of(world, jobs);
        var accuracy = FactorClassifier.Factors.ToDictionary(f => f.Name,
            f => logits[f.Name].argmax(1).eq(labels[f.Name]).to(ScalarType.Float64).mean().item<double>());
        return new FactorMetrics(jobs.Length, accuracy);
    }

    public static StructureMetrics MeasureStructure(StructureChecker model, CharacterWorld world, int imagesPerIdentity, int parallelism = 2)
    {
        model.eval();
        using var scope = torch.NewDisposeScope();
        var jobs = StructureEdits.Edit(JudgeImages.Grid(world.Identities(WorldSplit.HeldOut), 0, imagesPerIdentity),
            new Generator(StructureMeasureSeed));
        var images = JudgeImages.Render(world, jobs, parallelism);
        var predicted = StructureChecker.Counts(JudgeImages.Batched(images, model.forward, Device(model))); // (N,3)
        var truth = StructureEdits.Counts(jobs);                                                 // (N,3)
        var right = predicted.eq(truth).to(ScalarType.Float64).mean(new long[] { 0 });                     // (3)
        var judgedValid = StructureChecker.IsValid(predicted);                                             // (N)
        var valid = StructureChecker.IsValid(truth);                                                       // (N)
        double Share(Tensor t) => t.to(ScalarType.Float64).mean().item<double>();
        return new StructureMetrics(jobs.Length, right[0].item<double>(), right[1].item<double>(), right[2].item<double>(),
            Share(judgedValid.eq(valid)), Share(judgedValid[valid]), Share(judgedValid[valid.logical_not()].logical_not()));
    }

    /// <summary>Reference Fréchet distances (see <see cref="FdReferenceNumbers"/>) with <paramref name="imagesPerIdentity"/> images of each held-out identity.</summary>
    public static FdReferenceNumbers MeasureFd(FactorClassifier model, CharacterWorld world, int imagesPerIdentity, int parallelism = 2)
    {
        model.eval();
        using var scope = torch.NewDisposeScope();
        var device = Device(model);
        Tensor FeaturesOf(Tensor images) => JudgeImages.Batched(images, model.Features, device);
        var heldOut = world.Identities(WorldSplit.HeldOut);
        var referenceJobs = ReferenceJobs(world, imagesPerIdentity);
        using var reference = FeatureStatistics.Of(FeaturesOf(JudgeImages.Render(world, referenceJobs, parallelism)));
        double Fd(Tensor images)
        {
            using var stats = FeatureStatistics.Of(FeaturesOf(images));
            return FrechetDistance.Compute(stats, reference);
        }
        var otherJobs = JudgeImages.Grid(heldOut, imagesPerIdentity, imagesPerIdentity);
        var trainJobs = JudgeImages.Grid(world.Identities(WorldSplit.Train).Take(heldOut.Count).ToArray(), 0, imagesPerIdentity);
        var noise = torch.rand([referenceJobs.Length, 3, world.ImageSize, world.ImageSize], generator: new Generator(9)) * 2 - 1;
        return new FdReferenceNumbers(referenceJobs.Length,
            Fd(JudgeImages.Render(world, otherJobs, parallelism)),
            Fd(JudgeImages.Render(world, trainJobs, parallelism)),
            Fd(RenderDegraded(world, otherJobs, new ImageDegradation(BlurSigma: 1.5, DownsampleFactor: 2), parallelism)),
            Fd(noise));
    }

    /// <summary>
    /// <see cref="CharacterWorldEvaluator.Evaluate"/> on <paramref name="imagesPerIdentity"/> renders of
    /// each held-out identity that are not in the evaluator's FD reference (images R.., R =
    /// ReferenceImagesPerIdentity), each asked for its own factors, grouped by identity, with
    /// <paramref name="references"/> other renders (images 0..) as each group's references: what a
    /// perfect generator of those people would score; with <paramref name="degradation"/>, what one
    /// whose images are that much softer or noisier would.
    /// </summary>
    public static CharacterWorldEvaluation EvaluateRenders(CharacterWorldEvaluator evaluator, CharacterWorld world, int imagesPerIdentity, int references = 3,
        ImageDegradation? degradation = null, int parallelism = 2)
    {
        using var scope = torch.NewDisposeScope();
        var heldOut = world.Identities(WorldSplit.HeldOut);
        var jobs = JudgeImages.Grid(heldOut, evaluator.Config.ReferenceImagesPerIdentity, imagesPerIdentity);
        var images = degradation is null ? JudgeImages.Render(world, jobs, parallelism) : RenderDegraded(world, jobs, degradation, parallelism);
        var intended = jobs.Select(j => IntendedFactors.Of(world.Traits(j.Identity).ClassWord, world.Factors(j.Identity, j.ImageIndex))).ToArray();
        var groups = jobs.Select(j => j.Identity).ToArray();
        var referenceImages = heldOut.ToDictionary(id => id, id => JudgeImages.Render(world, JudgeImages.Grid([id], 0, references), 1));
        return evaluator.Evaluate(images, intended, groups, referenceImages);
    }

    // Normal renders passed through the world's degradation (seeded per image).
    private static Tensor RenderDegraded(CharacterWorld world, RenderJob[] jobs, ImageDegradation degradation, int parallelism)
    {
        int stride = world.ImageSize * world.ImageSize * 3;
        var bytes = new byte[jobs.Length * stride];
        Parallel.For(0, jobs.Length, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i =>
        {
            var image = world.Degrade(world.Render(jobs[i].Identity, jobs[i].ImageIndex), degradation);
            Buffer.BlockCopy(image.Pixels, 0, bytes, i * stride, stride);
        });
        return JudgeImages.ToTensor(bytes, jobs.Length, world.ImageSize);
    }

    internal static Device Device(nn.Module model) => model.parameters().First().device;

    private static Tensor Embed(IdentityEmbedder model, CharacterWorld world, RenderJob[] jobs, int parallelism, Device device) =>
        JudgeImages.Batched(JudgeImages.Render(world, jobs, parallelism), model.forward, device);

    // Cosines of every unordered pair of rows, split by whether the two rows (identity-major, k per identity) share an identity.
    private static (double[] Same, double[] Different) PairCosines(Tensor embeddings, int perIdentity)
    {
        using var scope = torch.NewDisposeScope();
        long m = embeddings.shape[0];
        var cosines = embeddings.matmul(embeddings.t());                              // (M,M)
        var identity = torch.arange(m, ScalarType.Int64).div(perIdentity, RoundingMode.floor); // (M)
        var upper = torch.ones(m, m, ScalarType.Bool).triu(1);                        // (M,M) i < j
        var same = identity.unsqueeze(1).eq(identity.unsqueeze(0));                  // (M,M)
        return (cosines[same.logical_and(upper)].to(ScalarType.Float64).data<double>().ToArray(),
                cosines[same.logical_not().logical_and(upper)].to(ScalarType.Float64).data<double>().ToArray());
    }

    // Same-pairs are accepted at cosine >= t, different pairs rejected below it; both kinds weigh equally.
    private static double BalancedAccuracy(double[] same, double[] different, double threshold) =>
        0.5 * (same.Count(c => c >= threshold) / (double)same.Length + different.Count(c => c < threshold) / (double)different.Length);

    private static (double Threshold, double Accuracy) BestThreshold(double[] same, double[] different)
    {
        var sortedSame = same.Order().ToArray();
        var sortedDifferent = different.Order().ToArray();
        double best = -1, bestThreshold = 0;
        // A 0.001 grid over [−1,1]: finer than any difference the judges' numbers are quoted with.
        for (int k = -1000; k <= 1000; k++)
        {
            double t = k / 1000.0;
            double tpr = 1 - LowerBound(sortedSame, t) / (double)sortedSame.Length;
            double tnr = LowerBound(sortedDifferent, t) / (double)sortedDifferent.Length;
            double accuracy = 0.5 * (tpr + tnr);
            if (accuracy > best) { best = accuracy; bestThreshold = t; }
        }
        return (bestThreshold, best);
    }

    // Number of entries below t in an ascending array.
    private static int LowerBound(double[] sorted, double t)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (sorted[mid] < t) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
