namespace DiffusionLab.Evaluation.World;

/// <summary>
/// How a CharacterWorld judge is trained. Every epoch renders fresh images of every train
/// identity (epoch e uses image indices e·ImagesPerIdentity … (e+1)·ImagesPerIdentity − 1), so no
/// image is seen twice; the defaults are the ones the committed weights were trained with
/// (Evaluation/Resources/README.md).
/// </summary>
public sealed record JudgeTrainingOptions
{
    /// <summary>Seeds initial weights, batch order, augmentation and face-part edits (one generator).</summary>
    public int Seed { get; init; } = 0;
    public int Epochs { get; init; } = 2;
    /// <summary>Images of each of the 2,000 train identities per epoch.</summary>
    public int ImagesPerIdentity { get; init; } = 60;
    public int BatchSize { get; init; } = 64;
    /// <summary>AdamW peak rate, reached after <see cref="WarmupSteps"/> and decayed to 0 by a cosine.</summary>
    public double LearningRate { get; init; } = 2e-3;
    /// <summary>AdamW's decoupled weight decay (Loshchilov &amp; Hutter 2019).</summary>
    public double WeightDecay { get; init; } = 0.05;
    public int WarmupSteps { get; init; } = 200;
    /// <summary>Random translation of up to this many pixels (edge pixels repeated): generated characters are not always where the renderer puts them.</summary>
    public int MaxShift { get; init; } = 4;
    /// <summary>
    /// Share of training images made softer and noisier, so the judges still read generated
    /// images, which are rarely as crisp as renders (the first committed weights, trained with a
    /// light 3×3 blur and noise up to 0.05, called 32 % of faces invalid once the detail was
    /// halved: Evaluation/Resources/README.md).
    /// </summary>
    public double DegradeProbability { get; init; } = 0.5;
    /// <summary>A degraded image is mixed with its ×2 down-and-up-sampled self by a weight drawn from [0, MaxSoften].</summary>
    public double MaxSoften { get; init; } = 1.0;
    /// <summary>A degraded image gets Gaussian noise of a standard deviation drawn from [0, MaxNoise] on the [−1,1] scale (0.12 ≈ 15 grey levels).</summary>
    public double MaxNoise { get; init; } = 0.12;
    /// <summary>Random brightness shift (±) and contrast factor (1 ±) per image; small, because colours name clothing and skin.</summary>
    public double ColorJitter { get; init; } = 0.05;
    /// <summary>Threads that render each batch (rendering is a pure function of the job: the count never changes the result).</summary>
    public int RenderThreads { get; init; } = 2;
    /// <summary>Progress lines (steps/s, ETA, last loss) every this many steps.</summary>
    public int LogEvery { get; init; } = 100;

    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"Epochs {Epochs}: expected >= 1");
        if (ImagesPerIdentity < 1) throw new ArgumentOutOfRangeException(nameof(ImagesPerIdentity), $"ImagesPerIdentity {ImagesPerIdentity}: expected >= 1");
        if (BatchSize < 2) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"BatchSize {BatchSize}: expected >= 2 (BatchNorm)");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"LearningRate {LearningRate}: expected > 0");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), $"WeightDecay {WeightDecay}: expected >= 0");
        if (WarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), $"WarmupSteps {WarmupSteps}: expected >= 0");
        if (MaxShift is < 0 or > 16) throw new ArgumentOutOfRangeException(nameof(MaxShift), $"MaxShift {MaxShift}: expected 0..16");
        if (DegradeProbability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(DegradeProbability), $"DegradeProbability {DegradeProbability}: expected 0..1");
        if (MaxSoften is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MaxSoften), $"MaxSoften {MaxSoften}: expected 0..1");
        if (MaxNoise is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MaxNoise), $"MaxNoise {MaxNoise}: expected 0..1");
        if (ColorJitter is < 0 or > 0.5) throw new ArgumentOutOfRangeException(nameof(ColorJitter), $"ColorJitter {ColorJitter}: expected 0..0.5");
        if (RenderThreads < 1) throw new ArgumentOutOfRangeException(nameof(RenderThreads), $"RenderThreads {RenderThreads}: expected >= 1");
        if (LogEvery < 1) throw new ArgumentOutOfRangeException(nameof(LogEvery), $"LogEvery {LogEvery}: expected >= 1");
    }
}
