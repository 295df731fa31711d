namespace DiffusionLab.Core;

/// <summary>What a run trains: the "stage" of its checkpoints' metadata, so a checkpoint says what it holds.</summary>
public enum TrainingStage
{
    /// <summary>A class-conditional or text-to-image DiT / MDT / MDTv2 (the whole model).</summary>
    Denoiser,
    /// <summary>PhotoMaker's ID encoder and backbone adapters on a frozen text-to-image base.</summary>
    PhotoMaker,
    /// <summary>DreamBooth / LoRA fine-tuning of a text-to-image base on one person.</summary>
    DreamBooth,
    /// <summary>Contrastive pre-training of PhotoMaker's ID encoder.</summary>
    IdEncoderPretraining,
    /// <summary>A CharacterWorld judge (identity embedder, factor classifier, structure checker).</summary>
    Judge,
    /// <summary>The MNIST classifier behind FD and class accuracy.</summary>
    MnistClassifier,
    /// <summary>StoryDiffusion's transition stage: temporal layers, keyframe projection and motion predictor on a text-to-image base.</summary>
    Motion,
    /// <summary>Time-contrastive pre-training of the motion stage's semantic image encoder.</summary>
    SemanticEncoderPretraining,
}
