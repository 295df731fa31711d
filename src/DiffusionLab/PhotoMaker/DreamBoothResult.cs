using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// A backbone fine-tuned on one identity by <see cref="DreamBoothFineTuner"/>: a tuned copy of the base (with LoRA
/// attached in LoRA mode), the prompts it was tuned with, the class images of its prior, the loss curve and the
/// time it took (class-image generation and tuning separately; PhotoMaker's speed column, photomaker.md §4.4).
/// </summary>
public sealed class DreamBoothResult : IDisposable
{
    private readonly double[] _betas;

    internal DreamBoothResult(MaskedDiffusionTransformer model, LoraAdapters? lora, WordTokenizer tokenizer, double[] betas, string identifier,
        string instancePrompt, string classPrompt, Tensor classImages, TimeSpan classImageTime, TimeSpan trainTime,
        IReadOnlyList<double> instanceLosses, IReadOnlyList<double> priorLosses)
    {
        Model = model;
        Lora = lora;
        Tokenizer = tokenizer;
        _betas = betas;
        Identifier = identifier;
        InstancePrompt = instancePrompt;
        ClassPrompt = classPrompt;
        ClassImages = classImages;
        ClassImageTime = classImageTime;
        TrainTime = trainTime;
        InstanceLosses = instanceLosses;
        PriorLosses = priorLosses;
    }

    /// <summary>The tuned copy of the base backbone (the base itself is never modified).</summary>
    public MaskedDiffusionTransformer Model { get; }
    /// <summary>The trained adapters in LoRA mode (attached to <see cref="Model"/>), else null.</summary>
    public LoraAdapters? Lora { get; }
    public WordTokenizer Tokenizer { get; }
    public string Identifier { get; }
    /// <summary>True when the identifier is outside the vocabulary and encodes to &lt;unk&gt;.</summary>
    public bool IdentifierIsUnknownToken => !Tokenizer.Contains(Identifier);
    public string InstancePrompt { get; }
    public string ClassPrompt { get; }
    /// <summary>The prior-preservation images (K, 3, H, W) the frozen model generated for <see cref="ClassPrompt"/>.</summary>
    public Tensor ClassImages { get; }
    public TimeSpan ClassImageTime { get; }
    public TimeSpan TrainTime { get; }
    /// <summary>Per-identity cost: class images + tuning.</summary>
    public TimeSpan TotalTime => ClassImageTime + TrainTime;
    public IReadOnlyList<double> InstanceLosses { get; }
    public IReadOnlyList<double> PriorLosses { get; }

    /// <summary>LoRA A/B in LoRA mode, else the tuned backbone's whole state dict (live references).</summary>
    public Dictionary<string, Tensor> TunedWeights() =>
        Lora?.StateDict() ?? Model.state_dict().ToDictionary(p => p.Key, p => p.Value);

    /// <summary>One image per seed (S, 3, H, W) for a prompt with the identifier ("a photo of a sks man wearing a crown"), DDIM + CFG on the empty prompt.</summary>
    public Tensor Generate(string prompt, IReadOnlyList<long> seeds, int steps = 50, double guidanceScale = 5.0) =>
        DreamBoothFineTuner.GenerateIdentified(Model, Tokenizer, _betas, Identifier, InstancePrompt, prompt, seeds, steps, guidanceScale);

    public void Dispose()
    {
        Lora?.Dispose();
        Model.Dispose();
        ClassImages.Dispose();
    }
}
