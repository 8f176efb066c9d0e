# cmake -DAR=ar -DINTO=libkiln_core.a -DFROM=libcudart_static.a -P MergeArchive.cmake: adds FROM's members to
# the archive INTO (an ar MRI script: members of equal names inside FROM stay distinct, unlike extracting them).
file(WRITE "${INTO}.mri" "OPEN ${INTO}\nADDLIB ${FROM}\nSAVE\nEND\n")
execute_process(COMMAND "${AR}" -M INPUT_FILE "${INTO}.mri" RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "merging ${FROM} into ${INTO} failed")
endif()
