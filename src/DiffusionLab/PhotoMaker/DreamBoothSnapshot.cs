using DiffusionLab.Mdt;
using DiffusionLab.Text;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// The DreamBooth copy part-way through tuning (<see cref="DreamBoothFineTuner.Tune"/>'s snapshot steps), with the time
/// it took to get there. Valid only inside the callback that receives it: tuning continues on the same weights.
/// </summary>
public sealed class DreamBoothSnapshot
{
    private readonly MaskedDiffusionTransformer _model;
    private readonly WordTokenizer _tokenizer;
    private readonly double[] _betas;
    private readonly string _identifier;
    private readonly string _instancePrompt;

    internal DreamBoothSnapshot(MaskedDiffusionTransformer model, WordTokenizer tokenizer, double[] betas, string identifier, string instancePrompt,
        int step, TimeSpan classImageTime, TimeSpan trainTime)
    {
        _model = model;
        _tokenizer = tokenizer;
        _betas = betas;
        _identifier = identifier;
        _instancePrompt = instancePrompt;
        Step = step;
        ClassImageTime = classImageTime;
        TrainTime = trainTime;
    }

    /// <summary>Optimizer steps taken so far.</summary>
    public int Step { get; }
    public TimeSpan ClassImageTime { get; }
    /// <summary>Tuning time of the steps taken so far.</summary>
    public TimeSpan TrainTime { get; }
    public TimeSpan TotalTime => ClassImageTime + TrainTime;

    /// <summary>As <see cref="DreamBoothResult.Generate"/>, with the weights as tuned so far.</summary>
    public Tensor Generate(string prompt, IReadOnlyList<long> seeds, int steps = 50, double guidanceScale = 5.0) =>
        DreamBoothFineTuner.GenerateIdentified(_model, _tokenizer, _betas, _identifier, _instancePrompt, prompt, seeds, steps, guidanceScale);
}
