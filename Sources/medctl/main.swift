// medctl: the admin CLI of medstored. Everything lives in `MedCtl`; this file only runs it.
import Glibc

exit(await MedCtl.main(Array(CommandLine.arguments.dropFirst())))
