using Microsoft.ML;
using Microsoft.ML.Dvn;
using Microsoft.ML.Dvn.Model;
using Microsoft.ML.Dvn.Native;
using Microsoft.ML.Dvn.Persistence;
using Microsoft.ML.Dvn.Pipeline;
using Microsoft.ML.Runtime;

// ML.NET finds a transformer's loader through this attribute when it loads a model zip (it loads this assembly by the
// name stored in the zip, then scans it). LoadableClassAttribute, SignatureLoadModel, ModelLoadContext and the
// members of ModelSaveContext used below are internal to Microsoft.ML.Core: this file is the one place that uses them
// (see Internals/IgnoresAccessChecksToAttribute.cs), and the test MlNetInternalsContractTests fails loudly if a
// Microsoft.ML upgrade breaks them.
[assembly: LoadableClass(typeof(DvnTransformer), null, typeof(SignatureLoadModel), "Deep Virtual Network", DvnTransformer.LoaderSignature)]

namespace Microsoft.ML.Dvn;

public sealed partial class DvnTransformer : ICanSaveModel
{
    internal const string LoaderSignature = "DvnTransformer";

    private const string ModelStreamName = "DvnModel.bin";

    // ML.NET's own versioning of the entry stays fixed; the DVN model format carries its own version
    // (DvnModelFormat.CurrentVersion), which says clearly when a file is newer than the library.
    private static VersionInfo GetVersionInfo() => new(
        modelSignature: "DVNTRANS",
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        // The simple name, not the full name: a model saved by one version of the library loads with another.
        loaderAssemblyName: typeof(DvnTransformer).Assembly.GetName().Name,
        loaderSignature: LoaderSignature);

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.SaveBinaryStream(ModelStreamName, writer =>
        {
            writer.Flush();
            DvnModelFormat.Write(Model, writer.BaseStream);
        });
    }

    // Called by ML.NET (through the LoadableClass attribute above) for every DvnTransformer entry of a model zip.
    private static DvnTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(GetVersionInfo());
        RequireModelStreamWithinLimit(ctx);
        DvnModel? model = null;
        // The process-wide settings are applied once the file has passed every check, just before its network is built.
        if (!ctx.TryLoadBinaryStream(ModelStreamName, reader => model = DvnModelFormat.Read(reader.BaseStream, () => DvnRuntime.InitializeAndLog(env, numberOfThreads: null))))
            throw new InvalidDataException($"The model zip has a DVN transformer without its '{ModelStreamName}' stream; the file is damaged.");
        // The reader builds on the CPU; the loading context chooses where the model runs (its GpuDeviceId and
        // FallbackToCpu, else the device the model was trained for where it exists here), not the file.
        var device = TorchDevices.ResolveForLoading(model!.Prediction.RequestedDevice, env, TorchDevices.WarningsTo(env));
        return new DvnTransformer(env, model.On(device));
    }

    // ML.NET extracts a zip entry (to a temporary file, or to a memory stream of its declared size) before the loader
    // reads a byte of it, so the uncompressed size the zip declares for the DVN stream is checked first; .NET's
    // decompressor stops at that declared size, so it also bounds what the extraction writes. The repository's entry
    // table and its path rule (RepositoryReader._entries, Repository.GetPath) are internal to Microsoft.ML.Core (see
    // Internals/; MlNetInternalsContractTests names them).
    private static void RequireModelStreamWithinLimit(ModelLoadContext ctx)
    {
        if (ctx.Repository is not { } repository)
            return;
        repository.GetPath(out string path, out _, ctx.Directory, ModelStreamName, false);
        if (repository._entries.TryGetValue(path, out var entry))
            ModelSizeLimit.Require(entry.Length, $"the zip entry '{path}' (its uncompressed size)");
    }
}
