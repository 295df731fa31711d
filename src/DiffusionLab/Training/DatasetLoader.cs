using DiffusionLab.Data;
using DiffusionLab.Modules;

namespace DiffusionLab.Training;

/// <summary>Loads the training images a config names, checked against the model's input shape.</summary>
public static class DatasetLoader
{
    public static LabeledImages Load(DataSection data, DenoiserConfig model)
    {
        LabeledImages images = data.Dataset switch
        {
            "mnist10k" => Mnist10k.Load(MnistSplit.Train),
            "folder" => ImageFolderDataset.Load(data.Folder!, model.InputSize, model.InChannels),
            _ => throw new ConfigException($"key 'Data.Dataset': '{data.Dataset}', expected \"mnist10k\" or \"folder\""),
        };
        if (images.Channels != model.InChannels || images.Size != model.InputSize)
            throw new ConfigException($"dataset '{data.Dataset}' has {images.Channels}×{images.Size}×{images.Size} images but the model expects Model.InChannels={model.InChannels}, Model.InputSize={model.InputSize}");
        if (images.NumClasses > model.NumClasses)
            throw new ConfigException($"dataset '{data.Dataset}' has {images.NumClasses} classes but Model.NumClasses={model.NumClasses}");
        return images;
    }
}
