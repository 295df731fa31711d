using DiffusionLab.Core;
using DiffusionLab.Data;
using DiffusionLab.Data.World;
using DiffusionLab.Modules;
using DiffusionLab.Text;

namespace DiffusionLab.Runs;

/// <summary>Loads the training data a config names, checked against the model's input shape and conditioning.</summary>
public static class DatasetLoader
{
    /// <summary>Whether the dataset gives captions (text-to-image) rather than class labels.</summary>
    public static bool IsCaptioned(DataSection data) => data.Dataset is DatasetKind.CharacterWorld or DatasetKind.Captions;

    public static TrainingData Load(DataSection data, DenoiserConfig model)
    {
        TrainingData loaded = IsCaptioned(data) ? LoadCaptioned(data, model) : new TrainingData(LoadLabeled(data, model), null, []);
        if (loaded.Set.Channels != model.InChannels || loaded.Set.Size != model.InputSize)
        {
            loaded.Dispose();
            throw new ConfigException($"dataset '{ConfigChoice.Name(data.Dataset)}' has {loaded.Set.Channels}×{loaded.Set.Size}×{loaded.Set.Size} images but the model expects Model.InChannels={model.InChannels}, Model.InputSize={model.InputSize}");
        }
        return loaded;
    }

    /// <summary>The data a section names, for messages: Data.Dataset "folder" in 'imgs'.</summary>
    public static string Describe(DataSection data) =>
        $"Data.Dataset \"{ConfigChoice.Name(data.Dataset)}\"" + (data.Dataset is DatasetKind.Folder or DatasetKind.Captions ? $" in '{data.Folder}'" : "");

    /// <summary>
    /// The word tokenizer of a captioned dataset: CharacterWorld's fixed vocabulary, or every word of a caption
    /// folder's captions. Deterministic, so a run's tokenizer can always be rebuilt from its config.
    /// </summary>
    public static WordTokenizer Tokenizer(DataSection data) => data.Dataset switch
    {
        DatasetKind.CharacterWorld => new WordTokenizer(WorldWords.Vocabulary),
        DatasetKind.Captions => WordTokenizer.FromCorpus(ImageCaptionFolderDataset.ReadCaptions(data.Folder!)),
        _ => throw new ConfigException($"key 'Data.Dataset': '{ConfigChoice.Name(data.Dataset)}' has no captions, so no tokenizer"),
    };

    private static LabeledImages LoadLabeled(DataSection data, DenoiserConfig model)
    {
        LabeledImages images = data.Dataset switch
        {
            DatasetKind.Mnist10k => Mnist10k.Load(MnistSplit.Train),
            DatasetKind.Folder => ImageFolderDataset.Load(data.Folder!, model.InputSize, model.InChannels),
            _ => throw new ConfigException($"key 'Data.Dataset': '{ConfigChoice.Name(data.Dataset)}', expected \"mnist10k\" or \"folder\""),
        };
        if (images.NumClasses > model.NumClasses)
        {
            images.Dispose();
            throw new ConfigException($"dataset '{ConfigChoice.Name(data.Dataset)}' has {images.NumClasses} classes but Model.NumClasses={model.NumClasses}");
        }
        return images;
    }

    /// <summary>The CharacterWorld of a run's data section (seed, train and held-out identities, images per identity) at <paramref name="imageSize"/>.</summary>
    public static CharacterWorldConfig WorldConfig(DataSection data, int imageSize) => new()
    {
        WorldSeed = data.WorldSeed, TrainIdentities = data.WorldIdentities, HeldOutIdentities = data.WorldHeldOutIdentities,
        ImageSize = imageSize, ImagesPerIdentity = data.ImagesPerIdentity,
    };

    private static TrainingData LoadCaptioned(DataSection data, DenoiserConfig model)
    {
        var tokenizer = Tokenizer(data);
        if (tokenizer.VocabSize != model.TextVocabSize)
            throw new ConfigException($"key 'Model.TextVocabSize': {model.TextVocabSize}, but the tokenizer of dataset '{ConfigChoice.Name(data.Dataset)}' has {tokenizer.VocabSize} entries");
        if (data.Dataset == DatasetKind.CharacterWorld)
        {
            var world = new CharacterWorld(WorldConfig(data, model.InputSize));
            // Drawn on as many threads as torch computes with: at a GPU's batch of 512 one thread spends ~0.1 s a step
            // drawing (bench world: ~5,000 images/s at 64 px), more than the step itself; the pixels do not depend on it.
            var train = new CharacterWorldDataset(world, WorldSplit.Train, data.Cache, parallelism: Math.Max(1, TorchSharp.torch.get_num_threads()));
            // One prompt per held-out person (never trained on), each with the factors of one of its images.
            var heldOut = world.Identities(WorldSplit.HeldOut);
            var prompts = heldOut.Select((id, i) => world.Caption(id, i % data.ImagesPerIdentity).Text).ToList();
            return new TrainingData(new CaptionedTrainingSet(train, tokenizer, model.TextMaxLength), tokenizer, prompts, world);
        }
        var folder = ImageCaptionFolderDataset.Load(data.Folder!, model.InputSize);
        var captions = folder.Captions.Take(64).ToList();
        return new TrainingData(new CaptionedTrainingSet(folder, tokenizer, model.TextMaxLength), tokenizer, captions);
    }
}
