import CSQLite
import Casework
