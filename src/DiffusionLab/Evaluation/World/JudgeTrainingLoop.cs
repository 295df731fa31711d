using System.Diagnostics;
using DiffusionLab.Data.World;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// The loop the three judges share: per epoch a generator-drawn order of fresh train images
/// (optionally with face-part edits), rendered batch by batch, augmented, and fed to a loss;
/// AdamW with linear warm-up and cosine decay to 0. The result depends on the seed alone: the
/// order, the edits and the augmentation are drawn on this thread in a fixed order, and rendering
/// is a pure function of the job.
/// </summary>
internal static class JudgeTrainingLoop
{
    /// <param name="world">The world whose train identities are used.</param>
    /// <param name="options">Epochs, images, optimiser and augmentation.</param>
    /// <param name="generator">The run's generator (already used for the initial weights).</param>
    /// <param name="parameters">What the optimiser updates.</param>
    /// <param name="setMode">Switches the trained modules between train (true) and eval (false).</param>
    /// <param name="editParts">Chooses the face parts of each job (null: normal faces).</param>
    /// <param name="loss">(augmented images, jobs of the batch, progress 0..1) → scalar loss.</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="name">The judge's name in progress lines.</param>
    public static void Run(CharacterWorld world, JudgeTrainingOptions options, Generator generator, IEnumerable<Parameter> parameters,
        Action<bool> setMode, Func<RenderJob[], Generator, RenderJob[]>? editParts, Func<Tensor, RenderJob[], double, Tensor> loss,
        Action<string>? log, string name)
    {
        options.Validate();
        var identities = world.Identities(WorldSplit.Train);
        int perEpoch = identities.Count * options.ImagesPerIdentity;
        int stepsPerEpoch = perEpoch / options.BatchSize;
        if (stepsPerEpoch < 1) throw new ArgumentException($"{perEpoch} images per epoch is less than one batch of {options.BatchSize}");
        int totalSteps = stepsPerEpoch * options.Epochs;
        using var optimizer = torch.optim.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay);
        setMode(true);
        var clock = Stopwatch.StartNew();
        int step = 0;
        double lossSum = 0;
        int lossCount = 0;
        int unprotected = 0;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var jobs = EpochJobs(identities, epoch, options.ImagesPerIdentity, generator);
            if (editParts is not null) jobs = editParts(jobs, generator);
            for (int i = 0; i < stepsPerEpoch; i++, step++)
            {
                using var scope = torch.NewDisposeScope();
                var batchJobs = jobs.AsSpan(i * options.BatchSize, options.BatchSize).ToArray();
                var bytes = JudgeImages.RenderBytes(world, batchJobs, options.RenderThreads);
                // Rendering stays outside: it allocates megabytes. See NoCollectionRegion for why.
                var region = new NoCollectionRegion();
                float last;
                using (region)
                {
                    var images = JudgeImages.ToTensor(bytes, batchJobs.Length, world.ImageSize); // (B,3,S,S)
                    var augmented = JudgeAugmentation.Apply(images, options, generator);         // (B,3,S,S)
                    SetLearningRate(optimizer, LearningRate(options, step, totalSteps));
                    var value = loss(augmented, batchJobs, (double)step / totalSteps);
                    optimizer.zero_grad();
                    value.backward();
                    optimizer.step();
                    last = value.item<float>();
                }
                if (!region.Held) unprotected++;
                lossSum += last;
                lossCount++;
                if ((step + 1) % options.LogEvery == 0 || step + 1 == totalSteps)
                {
                    double rate = (step + 1) / clock.Elapsed.TotalSeconds;
                    log?.Invoke($"{name} step {step + 1}/{totalSteps} (epoch {epoch + 1}/{options.Epochs}): loss {last:F4} (mean {lossSum / lossCount:F4}), " +
                        $"{rate:F2} steps/s, {rate * options.BatchSize:F0} images/s, ETA {TimeSpan.FromSeconds((totalSteps - step - 1) / rate):hh\\:mm\\:ss}" +
                        (unprotected > 0 ? $", {unprotected} steps collected garbage" : ""));
                    lossSum = 0;
                    lossCount = 0;
                }
            }
        }
        setMode(false);
    }

    private static double LearningRate(JudgeTrainingOptions o, int step, int total)
    {
        if (step < o.WarmupSteps) return o.LearningRate * (step + 1) / o.WarmupSteps;
        double progress = (double)(step - o.WarmupSteps) / Math.Max(1, total - o.WarmupSteps);
        return o.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    private static void SetLearningRate(torch.optim.Optimizer optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }

    // Every identity's images e·K … (e+1)·K − 1, shuffled by the generator.
    private static RenderJob[] EpochJobs(IReadOnlyList<int> identities, int epoch, int perIdentity, Generator generator)
    {
        int count = identities.Count * perIdentity;
        using var permutation = torch.randperm(count, generator: generator);
        var order = permutation.data<long>().ToArray();
        var jobs = new RenderJob[count];
        for (int i = 0; i < count; i++)
        {
            int k = (int)order[i];
            jobs[i] = new RenderJob(identities[k / perIdentity], epoch * perIdentity + k % perIdentity, FaceParts.Normal);
        }
        return jobs;
    }
}
